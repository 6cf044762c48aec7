"""WeCom (企业微信) sign-in: a small django-allauth OAuth2 provider of Stretch's own (allauth has
none). Installed as its own app so that allauth's provider registry finds ``provider.py``."""
