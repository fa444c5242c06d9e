"""A secret never appears in repr/str, the public view, or any ConfigError message."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from galfriday.config import load_config, public_dict
from galfriday.config.redact import SECRET_MASK
from galfriday.core.errors import ConfigError


def _every_secret_set(write_config: Callable[[str], Path], secret: str) -> Path:
    return write_config(
        f"""
        exchange: {{api_key: "{secret}", api_secret: "{secret}"}}
        database: {{url: "postgresql+asyncpg://gf:{secret}@db:5432/gf"}}
        redis: {{url: "redis://:{secret}@cache:6379/0"}}
        influxdb: {{token: "{secret}", username: gf, password: "{secret}"}}
        dashboard: {{api_key: "{secret}"}}
        alerting:
          email: {{smtp_password: "{secret}"}}
          sms: {{auth_token: "{secret}"}}
          slack: {{webhook_url: "https://hooks.slack.com/services/{secret}"}}
          discord: {{webhook_url: "https://discord.com/api/webhooks/{secret}"}}
          webhooks: [{{url: "https://ops.example.com/hook", secret: "{secret}"}}]
        """
    )


def test_secrets_are_loaded_intact(write_config: Callable[[str], Path], secret: str) -> None:
    s = load_config(_every_secret_set(write_config, secret), env={})

    assert s.exchange.api_secret is not None
    assert s.exchange.api_secret.get_secret_value() == secret
    assert s.database.url == f"postgresql+asyncpg://gf:{secret}@db:5432/gf"  # usable by the engine


def test_repr_and_str_do_not_contain_secrets(write_config: Callable[[str], Path], secret: str) -> None:
    s = load_config(_every_secret_set(write_config, secret), env={})

    for text in (repr(s), str(s), repr(s.database), str(s.redis), repr(s.alerting)):
        assert secret not in text
    assert f"gf:{SECRET_MASK}@db" in repr(s.database)


def test_public_dict_masks_every_secret(write_config: Callable[[str], Path], secret: str) -> None:
    data = public_dict(load_config(_every_secret_set(write_config, secret), env={}))

    assert secret not in json.dumps(data)
    assert data["exchange"]["api_key"] == SECRET_MASK
    assert data["alerting"]["webhooks"][0]["secret"] == SECRET_MASK
    assert data["database"]["url"] == f"postgresql+asyncpg://gf:{SECRET_MASK}@db:5432/gf"
    assert data["redis"]["url"] == f"redis://:{SECRET_MASK}@cache:6379/0"


def test_public_dict_shows_unset_secrets_as_null() -> None:
    assert public_dict(load_config(env={}))["exchange"]["api_key"] is None


def _error(write_config: Callable[[str], Path], text: str, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(write_config(text), env=env or {})
    return str(info.value)


@pytest.mark.parametrize(
    "template",
    [
        # a secret of the wrong type
        'exchange: {{api_secret: ["{secret}"]}}',
        'alerting: {{slack: {{webhook_url: "http://hooks.slack.com/{secret}"}}}}',
        # a misspelt secret key: the value must not be echoed with "unknown key"
        'exchange: {{api_secert: "{secret}"}}',
        'alerting: {{webhooks: [{{url: "https://x.example.com", secrte: "{secret}"}}]}}',
        # a section given as a scalar or a list entry in the wrong shape
        'exchange: "{secret}"',
        'alerting: {{webhooks: ["https://hooks.example.com/{secret}"]}}',
        # a password inside a URL whose other parts are wrong
        'database: {{url: "mysql://gf:{secret}@db/gf"}}',
        'redis: {{url: "http://:{secret}@cache:6379"}}',
        # a valid secret next to an unrelated error
        'exchange: {{api_key: "{secret}"}}\nrisk: {{risk_per_trade_pct: 0.5}}',
        # a secret in a section whose cross-field rule fails
        'influxdb: {{enabled: true, password: "{secret}"}}',
    ],
)
def test_config_errors_never_contain_the_secret(
    write_config: Callable[[str], Path], secret: str, template: str
) -> None:
    message = _error(write_config, template.format(secret=secret) + "\n")

    assert secret not in message


def test_secret_field_errors_say_the_value_is_hidden(
    write_config: Callable[[str], Path], secret: str
) -> None:
    message = _error(write_config, f'exchange: {{api_secret: ["{secret}"]}}\n')

    assert "exchange.api_secret: Input should be a valid string (got <hidden>)" in message


def test_url_password_is_masked_in_the_echoed_value(write_config: Callable[[str], Path], secret: str) -> None:
    message = _error(write_config, f'database: {{url: "mysql://gf:{secret}@db/gf"}}\n')

    assert f"(got 'mysql://gf:{SECRET_MASK}@db/gf')" in message


def test_yaml_syntax_errors_do_not_quote_the_line(write_config: Callable[[str], Path], secret: str) -> None:
    message = _error(write_config, f'exchange:\n  api_key: "{secret}\n  api_secret: x\n')

    assert "YAML error" in message
    assert secret not in message


def test_env_override_errors_never_contain_the_secret(secret: str) -> None:
    env = {
        "GALFRIDAY__EXCHANGE__API_SECERT": secret,  # misspelt key
        "GALFRIDAY__DATABASE__URL": f"mysql://u:{secret}@h/db",  # wrong scheme
        "GALFRIDAY__ALERTING__SLACK__WEBHOOK_URL": f"http://x/{secret}",  # not https
    }

    with pytest.raises(ConfigError) as info:
        load_config(env=env)

    message = str(info.value)
    assert "3 problems" in message
    assert secret not in message


def test_config_error_does_not_chain_the_validation_error(
    write_config: Callable[[str], Path], secret: str
) -> None:
    # pydantic's own message quotes every input; a logger printing the chain would leak it.
    with pytest.raises(ConfigError) as info:
        load_config(write_config(f'exchange: {{api_secert: "{secret}"}}\n'), env={})

    assert info.value.__cause__ is None
    assert info.value.__context__ is None
