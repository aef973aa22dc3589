"""Label tables, one module per screen area; merged by monitoring.i18n."""
