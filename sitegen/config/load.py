"""Layered config: defaults < config/base.yaml < config/<env>.yaml < SITEGEN_* variables < flags.

Each layer is plain data plus where each key came from (file and line, variable or flag), so
one validation pass can report every error at once with its origin, and `sitegen config` can
say which layer set each value.
"""

from __future__ import annotations

import difflib
import os
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sitegen.config.schema import BUILTIN_ENVIRONMENTS, EnvironmentKind, SiteConfig
from sitegen.config.yamlbudget import SafeLoader, YamlBudgetError
from sitegen.config.yamlfile import KeyPath, dotted, load_yaml_file
from sitegen.diagnostics import Diagnostic, SitegenError

ENV_PREFIX = "SITEGEN_"
RESERVED_VARIABLES = frozenset({"SITEGEN_ENV", "SITEGEN_STAGING_PASSWORD", "SITEGEN_JOBS",
                                "SITEGEN_ALL_DIAGNOSTICS", "SITEGEN_LOCK_TIMEOUT"})
SECRET_HINT = "secrets come only from environment variables, e.g. SITEGEN_STAGING_PASSWORD"
SECRET_WORDS = ("password", "secret", "token")


@dataclass(frozen=True)
class Origin:
    """Where a value was set: a file and line, an environment variable, a flag or a default."""

    layer: str
    path: str | None = None
    line: int | None = None

    def describe(self) -> str:
        if self.path and self.line:
            return f"{self.path}:{self.line}"
        return self.path or self.layer


@dataclass
class Layer:
    data: dict[str, Any]
    origins: dict[KeyPath, Origin] = field(default_factory=dict)


@dataclass
class LoadedConfig:
    """The validated config of one environment, with the origin of every value set explicitly."""

    env: str
    kind: EnvironmentKind
    source: Path
    config: SiteConfig
    origins: dict[KeyPath, Origin]

    def origin_of(self, path: KeyPath) -> Origin:
        while path:
            if path in self.origins:
                return self.origins[path]
            path = path[:-1]
        return Origin("default")


def load_config(source: Path, env: str, *, environ: Mapping[str, str] | None = None,
                flags: Mapping[str, Any] | None = None) -> LoadedConfig:
    """Load, merge and validate every layer; raise SitegenError listing all problems."""
    environ = os.environ if environ is None else environ
    config_dir = source / "config"
    if not source.is_dir():
        raise SitegenError(Diagnostic(str(source), None, None, "site folder does not exist",
                                      "pass --source DIR or run sitegen in the site folder"))
    layers: list[Layer] = []
    base = config_dir / "base.yaml"
    if base.is_file():
        layers.append(_file_layer(base, source))
    elif not config_dir.is_dir():
        raise SitegenError(Diagnostic(_rel(config_dir, source), None, None,
                                      "no config folder",
                                      "run `sitegen init DIR` to scaffold a site, "
                                      "or pass --source"))
    env_file = config_dir / f"{env}.yaml"
    if env_file.is_file():
        layers.append(_file_layer(env_file, source))
    elif env not in BUILTIN_ENVIRONMENTS:
        raise SitegenError(Diagnostic(
            _rel(env_file, source), None, None, f"unknown environment '{env}'",
            f"use one of {', '.join(BUILTIN_ENVIRONMENTS)}, or create {_rel(env_file, source)} "
            "with `environment: {behaves_like: staging}`"))
    layers.append(_environ_layer(environ))
    layers.append(_flag_layer(flags or {}))

    merged: dict[str, Any] = {}
    origins: dict[KeyPath, Origin] = {}
    for layer in layers:
        _expand_shorthands(layer)
        _deep_merge(merged, layer.data)
        for path, origin in layer.origins.items():
            if isinstance(_get_path(layer.data, path), dict):
                origins.setdefault(path, origin)
                continue
            for known in [p for p in origins if p[: len(path)] == path]:
                del origins[known]
            origins[path] = origin

    problems = _secret_problems(origins)
    try:
        config = SiteConfig.model_validate(merged)
    except ValidationError as exc:
        # A secret-looking key is also unknown to the schema: report it once, as a secret.
        secret_keys = {d.field for d in problems}
        problems += [d for d in _validation_problems(exc, origins)
                     if d.field not in secret_keys]
        raise SitegenError(sorted(problems, key=_by_place)) from None
    if problems:
        raise SitegenError(sorted(problems, key=_by_place))

    kind = next((k for k in BUILTIN_ENVIRONMENTS if k == env),
                config.environment.behaves_like)
    if kind is None:
        raise SitegenError(Diagnostic(
            _rel(env_file, source), 1, "environment.behaves_like",
            f"environment '{env}' must declare which built-in environment it behaves like",
            "add `environment: {behaves_like: staging}` (or development, production)"))
    if env in BUILTIN_ENVIRONMENTS and config.environment.behaves_like not in (None, env):
        origin = origins.get(("environment", "behaves_like"), Origin("config"))
        raise SitegenError(Diagnostic(
            origin.path or origin.layer, origin.line, "environment.behaves_like",
            f"the built-in environment '{env}' cannot behave like "
            f"'{config.environment.behaves_like}'",
            "create a custom environment (e.g. config/uat.yaml) instead"))
    return LoadedConfig(env=env, kind=kind, source=source, config=config, origins=origins)


def _rel(path: Path, source: Path) -> str:
    try:
        return str(path.relative_to(source))
    except ValueError:
        return str(path)


def _file_layer(path: Path, source: Path) -> Layer:
    display = _rel(path, source)
    loaded = load_yaml_file(path, display)
    if loaded.data is None:
        return Layer({})
    if not isinstance(loaded.data, dict):
        raise SitegenError(Diagnostic(display, 1, None, "config must be a mapping of keys",
                                      "start with keys such as `site:` and `locations:`"))
    origins = {p: Origin("file", display, line) for p, line in loaded.lines.items()
               if p and all(isinstance(k, str) for k in p)}
    return Layer(loaded.data, origins)


def _environ_layer(environ: Mapping[str, str]) -> Layer:
    """`SITEGEN_LEADS__WEBHOOK_URL=x` sets leads.webhook_url; values may be YAML lists/maps."""
    data: dict[str, Any] = {}
    origins: dict[KeyPath, Origin] = {}
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX) or name in RESERVED_VARIABLES:
            continue
        keys = tuple(part.lower() for part in name[len(ENV_PREFIX):].split("__"))
        if not all(keys):
            continue
        raw = environ[name]
        value: Any = raw
        if raw.strip().startswith(("[", "{")):
            try:
                value = yaml.load(raw, Loader=SafeLoader)
            except YamlBudgetError as exc:
                raise SitegenError(Diagnostic(f"${name}", None, None, exc.message,
                                              exc.hint)) from None
            except (yaml.YAMLError, RecursionError):  # too deep: the schema refuses the text
                value = raw
        _set_path(data, keys, value)
        origin = Origin("environment", f"${name}")
        origins[keys] = origin
        # A map value (`SITEGEN_SITE='{name: x}'`) sets each key inside it too.
        for nested in _key_paths(value, keys):
            origins[nested] = origin
    return Layer(data, origins)


def _key_paths(value: Any, prefix: KeyPath) -> list[KeyPath]:
    if not isinstance(value, dict):
        return []
    out: list[KeyPath] = []
    for key, child in value.items():
        path = prefix + (str(key),)
        out.append(path)
        out.extend(_key_paths(child, path))
    return out


def _flag_layer(flags: Mapping[str, Any]) -> Layer:
    data: dict[str, Any] = {}
    origins: dict[KeyPath, Origin] = {}
    for dotted_key, value in flags.items():
        if value is None:
            continue
        keys = tuple(dotted_key.split("."))
        _set_path(data, keys, value)
        origins[keys] = Origin("flag", f"--{dotted_key.replace('_', '-')}")
    return Layer(data, origins)


def _set_path(data: dict[str, Any], keys: tuple[str, ...], value: Any) -> None:
    node = data
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    node[keys[-1]] = value


def _get_path(data: Any, keys: KeyPath) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


# Keys whose text value stands for one key of their mapping: `theme: brand` is
# `theme: {name: brand}`, so a later layer's `theme.colors` keeps the folder name.
SHORTHANDS: dict[str, str] = {"theme": "name"}


def _expand_shorthands(layer: Layer) -> None:
    for key, inner in SHORTHANDS.items():
        value = layer.data.get(key)
        if isinstance(value, str):
            layer.data[key] = {inner: value}
            if (key,) in layer.origins:
                layer.origins[(key, inner)] = layer.origins.pop((key,))


def _deep_merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _deep_merge(into[key], value)
        else:
            into[key] = value


def _secret_problems(origins: dict[KeyPath, Origin]) -> list[Diagnostic]:
    """A secret-looking key in a committed file is refused: secrets live in the environment."""
    problems = []
    for path, origin in sorted(origins.items(), key=lambda item: str(item[0])):
        leaf = str(path[-1]).lower()
        if origin.layer == "file" and any(word in leaf for word in SECRET_WORDS) \
                and not leaf.endswith("_env"):
            problems.append(Diagnostic(origin.path or "config", origin.line, dotted(path),
                                       "secrets must not be written in config files",
                                       SECRET_HINT))
    return problems


def _validation_problems(exc: ValidationError, origins: dict[KeyPath, Origin]
                         ) -> list[Diagnostic]:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        origin = _nearest_origin(loc, origins)
        key = dotted(loc)
        if error["type"] == "extra_forbidden":
            message = f"unknown key '{loc[-1]}'"
            hint = _did_you_mean(loc)
        elif error["type"] == "missing":
            message = "required key is missing"
            hint = None
        else:
            message = error["msg"]
            if message.startswith("Value error, "):
                message = message[len("Value error, "):]
            hint = _type_hint(error)
        problems.append(Diagnostic(origin.path or origin.layer, origin.line, key,
                                   message[0].lower() + message[1:], hint))
    return sorted(problems, key=_by_place)


def _by_place(diagnostic: Diagnostic) -> tuple[str, int, str]:
    """File order: a user fixes a config top to bottom, one file after the other."""
    return diagnostic.path, diagnostic.line or 0, diagnostic.field or ""


def _nearest_origin(loc: KeyPath, origins: dict[KeyPath, Origin]) -> Origin:
    path = loc
    while path:
        if path in origins:
            return origins[path]
        path = path[:-1]
    return Origin("config")


def _did_you_mean(loc: KeyPath) -> str | None:
    """Hint with the closest allowed key at that level of the schema."""
    model: type[BaseModel] | None = SiteConfig
    keyed = False  # the part before was a mapping of models (site.locales): this is its key
    for part in loc[:-1]:
        if keyed:
            keyed = False
            continue
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            model = None
            break
        annotation = model.model_fields[part].annotation
        if typing.get_origin(annotation) is dict:
            annotation, keyed = typing.get_args(annotation)[1], True
        model = annotation if isinstance(annotation, type) and issubclass(annotation,
                                                                          BaseModel) else None
    if model is None:
        return None
    word = str(loc[-1])
    if any(secret in word.lower() for secret in SECRET_WORDS):
        return SECRET_HINT
    close = difflib.get_close_matches(word, list(model.model_fields), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "allowed keys: " + ", ".join(sorted(model.model_fields))


def _type_hint(error: Mapping[str, Any]) -> str | None:
    kind = error["type"]
    expected = {
        "int_parsing": "write a whole number",
        "int_type": "write a whole number",
        "float_parsing": "write a number",
        "bool_parsing": "write true or false",
        "string_type": "write text",
        "list_type": "write a list, e.g. [a, b]",
        "dict_type": "write a mapping of keys",
        "model_type": "write a mapping of keys",
    }
    if kind in expected:
        return expected[kind]
    if kind == "literal_error":
        return "allowed: " + str(error.get("ctx", {}).get("expected", ""))
    return None


def resolved_lines(loaded: LoadedConfig) -> list[str]:
    """`key: value   # origin` for every leaf, for `sitegen config`."""
    out: list[str] = []
    data = loaded.config.model_dump(mode="json")

    def walk(node: Any, path: KeyPath) -> None:
        if isinstance(node, dict) and node:
            for key in node:
                walk(node[key], path + (key,))
            return
        value = yaml.safe_dump(node, default_flow_style=True, width=10_000,
                               allow_unicode=True).strip()
        value = value.removesuffix("\n...").removesuffix("...").strip()
        # Every layer records each key it sets, so a key with no origin of its own has its
        # default value, even where a layer set other keys of its section.
        origin = loaded.origins.get(path, Origin("default"))
        out.append(f"{dotted(path)}: {value}  # {origin.describe()}")

    walk(data, ())
    return out
