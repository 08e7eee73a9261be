"""Follow-ups (the closed loop): when a client who agreed to be contacted gives a low score, an
item is opened for the program's managers, who own it, note what they did and close it."""
