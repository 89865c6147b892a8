"""Settings of the verdict, a section of the one ``Settings`` object (``Settings.verdict``).

Each field is read from ``VERACITY_<FIELD>`` like every other setting.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class VerdictSettings:
    """How verdicts are computed.

    Attributes:
        verdict_params: path of a verdict parameter file to use instead of the one shipped in
            the package (``scripts/fit_verdict.py --out FILE`` writes one); empty: the shipped file.
            Environment: ``VERACITY_VERDICT_PARAMS``.
        abstain_below: a machine label whose calibrated probability is below this is
            ``Unverified``; 0 keeps the parameter file's threshold (0.6).
            Environment: ``VERACITY_ABSTAIN_BELOW``.
    """

    verdict_params: str = ""
    abstain_below: float = 0.0
