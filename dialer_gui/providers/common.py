"""Settings every provider profile has, whatever its API."""

from __future__ import annotations

from dialer_gui.vocabulary.fields import Field, FieldKind

NUMBER_FORMATS = ("e164", "e164_no_plus", "national", "intl_00", "intl_011", "digits", "local")

COMMON_FIELDS: tuple[Field, ...] = (
    Field("label", "Display name", FieldKind.STR, "", "Shown in menus; the profile name if empty."),
    Field(
        "number_format",
        "Number format",
        FieldKind.CHOICE,
        None,
        "How numbers are written for this PBX; empty uses the provider's default.",
        choices=NUMBER_FORMATS,
    ),
    Field(
        "outside_line_prefix",
        "Outside-line prefix",
        FieldKind.STR,
        "",
        "Digits put before external numbers (for example 9). Not used for extensions.",
    ),
    Field(
        "rewrite",
        "Rewrite rules",
        FieldKind.RULES,
        [],
        "Regular expression and replacement pairs applied in order to the formatted number.",
    ),
    Field("timeout", "Timeout (seconds)", FieldKind.FLOAT, 10.0, "How long to wait for the PBX."),
    Field(
        "verify_tls",
        "Verify TLS certificate",
        FieldKind.BOOL,
        True,
        "Turn off only for a PBX with a self-signed certificate you trust; prefer a CA file.",
    ),
    Field("ca_file", "CA file", FieldKind.PATH, "", "PEM bundle that signs the PBX certificate."),
)
