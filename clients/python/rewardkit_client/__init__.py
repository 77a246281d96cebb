"""Client and trainer adapters for `rewardkit serve` (standard library only).

- ``RewardKitClient``: POST /v1/score and /get_reward with retries on 503 (Retry-After).
- ``trl_reward_func(...)``: a TRL ``reward_funcs`` callable ``(prompts, completions, **kwargs) -> list[float]``.
- ``compute_score(data_source, solution_str, ground_truth, extra_info=None)``: verl's custom reward function.
- ``reward_func(queries, prompts, labels)``: OpenRLHF's ``--remote_rm_url reward.py`` mode.

The server address comes from the arguments or ``$REWARDKIT_URL`` (default http://127.0.0.1:8000),
the bearer token from ``$REWARDKIT_API_KEY``, the spec name from ``$REWARDKIT_SPEC``.
"""

import json
import os
import time
import urllib.error
import urllib.request

__all__ = ["RewardKitClient", "RewardKitError", "trl_reward_func", "compute_score", "reward_func"]


class RewardKitError(RuntimeError):
    def __init__(self, status, message):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


class RewardKitClient:
    def __init__(self, url=None, spec=None, api_key=None, timeout=300.0, retries=5):
        self.url = (url or os.environ.get("REWARDKIT_URL") or "http://127.0.0.1:8000").rstrip("/")
        self.spec = spec if spec is not None else os.environ.get("REWARDKIT_SPEC") or None
        self.api_key = api_key if api_key is not None else os.environ.get("REWARDKIT_API_KEY") or None
        self.timeout = timeout
        self.retries = retries

    def _post(self, path, payload):
        data = json.dumps(payload).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = "Bearer " + self.api_key
        for attempt in range(self.retries + 1):
            req = urllib.request.Request(self.url + path, data=data, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    return json.loads(resp.read().decode("utf-8"))
            except urllib.error.HTTPError as e:
                body = e.read().decode("utf-8", "replace")
                try:
                    message = json.loads(body).get("error", body)
                except ValueError:
                    message = body
                if e.code == 503 and attempt < self.retries:
                    time.sleep(float(e.headers.get("Retry-After", "1")))
                    continue
                raise RewardKitError(e.code, message) from None

    def score(self, records, group_normalize=None, diagnostics=False):
        """Scores records shaped like `rewardkit score` input lines; returns one result dict each."""
        payload = {"records": list(records)}
        if self.spec:
            payload["spec"] = self.spec
        if group_normalize is not None:
            payload["group_normalize"] = bool(group_normalize)
        if diagnostics:
            payload["diagnostics"] = True
        return self._post("/v1/score", payload)["results"]

    def get_reward(self, queries, prompts=None, labels=None):
        """The OpenRLHF protocol: returns the dict with rewards, scores and extra_logs."""
        payload = {"query": list(queries)}
        if prompts is not None:
            payload["prompts"] = list(prompts)
        if labels is not None:
            payload["labels"] = list(labels)
        path = "/get_reward" if not self.spec else "/" + self.spec + "/get_reward"
        return self._post(path, payload)


def _text(x):
    """TRL passes strings, or (conversational) lists of {role, content} messages."""
    if isinstance(x, str):
        return x
    if isinstance(x, list) and x and isinstance(x[-1], dict):
        return x[-1].get("content", "")
    return "" if x is None else str(x)


def trl_reward_func(url=None, spec=None, api_key=None, reference_key=None, missing_reward=0.0):
    """A TRL GRPOTrainer ``reward_funcs`` entry. The reference comes from the dataset column
    ``reference_key`` (default: the first of reference, answer, solution, ground_truth present)."""
    client = RewardKitClient(url=url, spec=spec, api_key=api_key)
    keys = [reference_key] if reference_key else ["reference", "answer", "solution", "ground_truth"]

    def rewardkit_reward(prompts, completions, **kwargs):
        refs = None
        for k in keys:
            if kwargs.get(k) is not None:
                refs = kwargs[k]
                break
        records = []
        for i, (p, c) in enumerate(zip(prompts, completions)):
            rec = {"prompt": p if isinstance(p, (str, list)) else _text(p), "response": _text(c)}
            if refs is not None and refs[i] is not None:
                rec["reference"] = refs[i] if isinstance(refs[i], str) else json.dumps(refs[i])
            records.append(rec)
        results = client.score(records)
        return [r["reward"] if r.get("reward") is not None else missing_reward for r in results]

    rewardkit_reward.__name__ = "rewardkit_" + (client.spec or "reward")
    return rewardkit_reward


_default_client = None


def _client():
    global _default_client
    if _default_client is None:
        _default_client = RewardKitClient()
    return _default_client


def compute_score(data_source, solution_str, ground_truth, extra_info=None):
    """verl ``custom_reward_function``: one float for one response (spec from $REWARDKIT_SPEC)."""
    rec = {"response": solution_str, "data_source": data_source}
    if ground_truth is not None:
        rec["reference"] = ground_truth if isinstance(ground_truth, str) else json.dumps(ground_truth)
    if isinstance(extra_info, dict) and isinstance(extra_info.get("question"), str):
        rec["prompt"] = extra_info["question"]
    r = _client().score([rec])[0]
    return float(r["reward"]) if r.get("reward") is not None else 0.0


def reward_func(queries, prompts, labels):
    """OpenRLHF ``--remote_rm_url reward.py`` mode: returns {"rewards", "scores", "extra_logs"},
    as torch tensors when torch is installed (OpenRLHF has it), else lists."""
    out = _client().get_reward(queries, prompts, labels)
    try:
        import torch  # noqa: PLC0415 — optional, present in every OpenRLHF install
    except ImportError:
        return out
    return {
        "rewards": torch.tensor(out["rewards"], dtype=torch.float32),
        "scores": torch.tensor(out["scores"], dtype=torch.float32),
        "extra_logs": {k: torch.tensor(v, dtype=torch.float32) for k, v in out.get("extra_logs", {}).items()},
    }
