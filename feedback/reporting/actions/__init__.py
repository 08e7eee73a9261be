"""You said, we did: what a program did about an irritant theme of its clients' comments."""
