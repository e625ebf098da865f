"""GradCache (Gao, Zhang, Han & Callan 2021, "Scaling Deep Contrastive Learning Batch Size under Memory Limited
Setup"): a bi-encoder batch of any size in the memory of one chunk (``train.py --grad_cache``).

The in-batch loss needs every vector of the batch at once, but not every activation. So: (1) embed the batch
chunk by chunk without a graph, (2) compute the loss on those vectors and its gradient with respect to each
vector, (3) embed each chunk again with a graph and back-propagate the cached vector gradients through it
(``backward((vectors * cached_gradient).sum())``). The parameters' gradient is then the full batch's: the loss is
a function of the vectors only, and each chunk's vectors depend only on that chunk. Memory holds one chunk's
activations plus the batch's vectors; time is about one extra forward pass.

Dropout draws its masks from the random state, so each chunk's second pass replays the random state its first
pass started from (as GradCache's ``RandContext``): the vectors of both passes are the same, and the gradient is
exact for the masks drawn. (Without dropout it equals the gradient of the whole batch in one pass.)
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.nn.parallel import DistributedDataParallel

from training.distributed import average_gradients


class RandomState:
    """The CPU and (where used) CUDA random states at one moment, to replay a forward pass's dropout masks."""

    def __init__(self, device: torch.device):
        self.cpu = torch.get_rng_state()
        self.cuda = torch.cuda.get_rng_state(device) if device.type == "cuda" else None
        self.device = device

    def restore(self) -> None:
        torch.set_rng_state(self.cpu)
        if self.cuda is not None:
            torch.cuda.set_rng_state(self.cuda, self.device)


def chunks(inputs: dict[str, torch.Tensor], size: int) -> list[dict[str, torch.Tensor]]:
    rows = len(inputs["input_ids"])
    return [{key: value[start : start + size] for key, value in inputs.items()} for start in range(0, rows, size)]


class GradCache:
    """One training step of a bi-encoder loss with cached vector gradients; ``chunk_size`` texts per forward."""

    def __init__(self, loss, chunk_size: int):
        self.loss = loss  # a training.trainer.BiEncoderLoss: of_vectors(question_vectors, passage_vectors, inputs)
        self.chunk_size = chunk_size

    def step(self, model, inputs: dict, backward: Callable[[torch.Tensor], None]) -> torch.Tensor:
        """Back-propagate the loss of the batch ``inputs`` into ``model``'s gradients through ``backward`` (the
        Trainer's, which scales for mixed precision); return the loss, detached.

        A DDP-wrapped ``model``: the chunks run through the wrapped module, outside DDP's forward, so DDP
        averages nothing; the gradients are averaged over the ranks here, where DDP would have (not while the
        Trainer accumulates gradients under ``no_sync``)."""
        if isinstance(model, DistributedDataParallel):
            loss = self.step(model.module, inputs, backward)
            if model.require_backward_grad_sync:
                average_gradients(model.module)
            return loss
        kinds = {"question": chunks(inputs["question_inputs"], self.chunk_size)}
        kinds["passage"] = chunks(inputs["passage_inputs"], self.chunk_size)
        device = inputs["question_inputs"]["input_ids"].device
        states: dict[str, list[RandomState]] = {kind: [] for kind in kinds}
        vectors = {}
        with torch.no_grad():
            for kind, pieces in kinds.items():
                embedded = []
                for piece in pieces:
                    states[kind].append(RandomState(device))
                    embedded.append(model.embed(kind, piece))
                vectors[kind] = torch.cat(embedded).requires_grad_()  # a leaf: made under no_grad
        after = RandomState(device)
        loss = self.loss.of_vectors(vectors["question"], vectors["passage"], inputs)
        gradients = dict(zip(vectors, torch.autograd.grad(loss, list(vectors.values()))))
        for kind, pieces in kinds.items():
            for piece, state, gradient in zip(pieces, states[kind], gradients[kind].split(self.chunk_size)):
                state.restore()
                backward((model.embed(kind, piece) * gradient.to(torch.float32)).sum())
        after.restore()
        return loss.detach()
