// HAProxy
