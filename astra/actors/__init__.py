"""pykka actors: concurrency, message protocol and supervision around domain objects."""
