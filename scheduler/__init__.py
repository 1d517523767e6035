"""What is due and when, and the one periodic job that delivers it."""
