"""An exponential moving average of a network's weights."""

import torch


class EMA:
    """An exponential moving average of the weights and BatchNorm statistics;
    the averaged copy is what gets evaluated and exported."""

    def __init__(self, net, decay):
        import copy
        self.model = copy.deepcopy(net).eval()
        self.decay = decay
        for p in self.model.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, net):
        for a, b in zip(self.model.state_dict().values(), net.state_dict().values()):
            if a.dtype.is_floating_point:
                a.mul_(self.decay).add_(b, alpha=1 - self.decay)
            else:
                a.copy_(b)
