"""Stage 3, model: the site graph built from the config and the data before anything is
rendered: content pages, URLs and slugs, hubs, nearby locations, calls to action, lead
forms and the locator's view pages."""
