"""Walk-in surveys: an open link and a QR code poster per office, for clients who leave no email
or phone. Each visit to the link is a contact event like any other (the program's rule for the
point's contact type decides the questionnaire) and a one-time survey handed to that browser."""
