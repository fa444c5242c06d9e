"""Configuration: the validated ``Settings`` schema, its loader, fingerprint and public view.

``load_config("config.yaml")`` applies the file, ``${VAR}`` placeholders and
``GALFRIDAY__SECTION__KEY`` overrides to the defaults of DESIGN §7; ``config_hash`` identifies the
configuration of a run; ``public_dict`` is the same data with secrets masked, safe to log or store.
"""

from galfriday.config.hashing import config_hash, public_dict, secret_values
from galfriday.config.loader import load_config
from galfriday.config.schema import Settings

__all__ = ["Settings", "config_hash", "load_config", "public_dict", "secret_values"]
