"""Comments: scrubbed of personal information, coded into the bilingual taxonomy of irritants."""
