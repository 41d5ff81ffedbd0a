"""Reports: plain data in, figures and PDF bytes out. No Flask import."""
