#!/usr/bin/python3
"""Test-time adaptation at batch 64 as the RMT authors' PyTorch code runs it, on the TorchScript BN
CNN that ctta runs too: a measurement tool for the side-by-side comparison with ctta's `rmt`
(docs/benchmarks/python-side-by-side.md), never runtime.

Copied from github.com/mariodoebler/test-time-adaptation (MIT licence, Copyright (c) 2022 Mario
Döbler and Robert Marsden), commit 8b2ed63255d906b6b0afaefc6ae630b9ec4bdaa1, directory
classification/:

  methods/rmt.py      RMT: __init__ (EMA teacher by deepcopy, encoder/classifier split, source
                      prototypes as class means of the source features, projector
                      Linear-ReLU-Linear added to the optimizer as a parameter group, warm-up
                      skipped when NUM_SAMPLES_WARM_UP // batch = 0), contrastive_loss (SupContrast,
                      "all" anchors), loss_calculation, forward_and_adapt, configure_model
  methods/base.py     collect_params, setup_optimizer (SGD branch), the batch path of forward
                      (one step per batch)
  utils/losses.py     SymmetricCrossEntropy (alpha 0.5)
  utils/misc.py       ema_update_model (update_all=True)
  augmentations/transforms_cotta.py  get_tta_transforms (non-soft, CoTTA augmentations, edge
                      padding) with Clip, ColorJitterPro, GaussianNoise: the authors' augmentation,
                      unchanged, run by torchvision 0.14 on the batch tensor (one draw of the colour
                      and geometric parameters per batch, noise per pixel). On a grey image
                      torchvision's adjust_saturation and adjust_hue return the image unchanged;
                      n_pixels = 28 gives 14 px padding and a 28 px centre crop.

Settings: ctta's `rmt` defaults (docs/strategies/rmt.md), which are the reference's batch-64
configuration (classification/cfgs/imagenet_c/rmt.yaml with conf.py's defaults): SGD lr 0.01,
momentum 0.9, dampening 0, Nesterov, no weight decay; M_TEACHER.MOMENTUM 0.999;
CONTRAST.TEMPERATURE 0.1, PROJECTION_DIM 128, MODE "all"; LAMBDA_CE_SRC = LAMBDA_CE_TRG =
LAMBDA_CONT = 1. The warm-up is off (NUM_SAMPLES_WARM_UP 0) because ctta's side, TtaCpuTime, runs
`rmt` with `warmup-samples = 0`: the warm-up is a one-off set-up, not a per-step cost. Source data:
the first 256 Fashion-MNIST training images and labels (as TtaCpuTime), in a shuffling DataLoader
of batch 64 in this process (num_workers 0, so its cost is counted, as ctta's source batches are);
the prototypes are computed from them once before timing, and every step replays one labelled
source batch of 64.

Per step, as in the reference and in ctta: student encoder + classifier on the test batch and on
its augmented copy, teacher forward on the test batch, nearest prototype by cosine similarity,
projector on the three views, contrastive + SCE self-training + source cross-entropy (a third
student forward), one backward, one SGD step over the student and the projector, the EMA of
every teacher parameter, and the ensemble output read back as predictions.

The network is fixtures/torchscript/cnn-twin.pt (written by
tools/fixtures/make_torchscript_fixtures.py), loaded with torch.jit.load; its exported methods
`features(x)` and `classify(f)` are the encoder/classifier split ctta uses too (docs/models.md).
The reference's models normalise inside the encoder (split_up_model puts `model.normalize` first)
and its augmentation expects images in [0, 1], so the wrapper below normalises with the fixture's
sidecar before `features`. Adjustments a TorchScript model needs: BatchNorm modules are found by
their class name (a scripted module is not an nn.BatchNorm2d instance), and since TorchScript
freezes `track_running_stats` and `running_mean`, batch statistics are forced by putting them in
train mode (for BatchNorm1d that is the reference's own choice) rather than by removing the
running statistics: the forward then also updates the unused running statistics (one fused kernel,
negligible). The fixture's Dropout stays off (the reference's model.eval()). Every parameter is
trainable, as in the reference's configure_model; parameters are frozen/unfrozen one by one
because ScriptModules do not offer requires_grad_.

Stream: Fashion-MNIST's test set scaled to [0, 1], batches of 64 taken in order (as TtaCpuTime).

Timing: CPU time of the whole process (time.process_time: the intra-op threads count) with
torch.set_num_threads(THREADS) and OPENBLAS_NUM_THREADS set by the caller. Prints one line:
`python rmt <samples per CPU-second> <samples/s wall>`.
"""
import argparse
import json
import os
import time
from copy import deepcopy

import numpy as np
import torch
import torch.jit
import torch.nn as nn
import torch.nn.functional as F
import torchvision.transforms as transforms
import torchvision.transforms.functional as TF
from torchvision.transforms import ColorJitter

from fmnist_idx import read_idx

FMNIST = "/usr/share/datasets/fashion-mnist"
BN_CLASSES = ("BatchNorm1d", "BatchNorm2d")


# ---- augmentations/transforms_cotta.py (the parts get_tta_transforms uses) ----

class GaussianNoise(torch.nn.Module):
    def __init__(self, mean=0., std=1.):
        super().__init__()
        self.std = std
        self.mean = mean

    def forward(self, img):
        noise = torch.randn(img.size()) * self.std + self.mean
        noise = noise.to(img.device)
        return img + noise


class Clip(torch.nn.Module):
    def __init__(self, min_val=0., max_val=1.):
        super().__init__()
        self.min_val = min_val
        self.max_val = max_val

    def forward(self, img):
        return torch.clip(img, self.min_val, self.max_val)


class ColorJitterPro(ColorJitter):
    """Randomly change the brightness, contrast, saturation, and gamma correction of an image."""

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0, gamma=0):
        super().__init__(brightness, contrast, saturation, hue)
        self.gamma = self._check_input(gamma, 'gamma')

    def forward(self, img):
        fn_idx = torch.randperm(5)
        for fn_id in fn_idx:
            if fn_id == 0 and self.brightness is not None:
                brightness = self.brightness
                brightness_factor = torch.tensor(1.0).uniform_(brightness[0], brightness[1]).item()
                img = TF.adjust_brightness(img, brightness_factor)

            if fn_id == 1 and self.contrast is not None:
                contrast = self.contrast
                contrast_factor = torch.tensor(1.0).uniform_(contrast[0], contrast[1]).item()
                img = TF.adjust_contrast(img, contrast_factor)

            if fn_id == 2 and self.saturation is not None:
                saturation = self.saturation
                saturation_factor = torch.tensor(1.0).uniform_(saturation[0], saturation[1]).item()
                img = TF.adjust_saturation(img, saturation_factor)

            if fn_id == 3 and self.hue is not None:
                hue = self.hue
                hue_factor = torch.tensor(1.0).uniform_(hue[0], hue[1]).item()
                img = TF.adjust_hue(img, hue_factor)

            if fn_id == 4 and self.gamma is not None:
                gamma = self.gamma
                gamma_factor = torch.tensor(1.0).uniform_(gamma[0], gamma[1]).item()
                img = img.clamp(1e-8, 1.0)  # to fix Nan values in gradients, which happens when applying gamma
                                            # after contrast
                img = TF.adjust_gamma(img, gamma_factor)

        return img


def get_tta_transforms(img_size, gaussian_std: float=0.005, soft=False, padding_mode='edge', cotta_augs=True):
    n_pixels = img_size[0] if isinstance(img_size, (list, tuple)) else img_size

    tta_transforms = [
        Clip(0.0, 1.0),
        ColorJitterPro(
            brightness=[0.8, 1.2] if soft else [0.6, 1.4],
            contrast=[0.85, 1.15] if soft else [0.7, 1.3],
            saturation=[0.75, 1.25] if soft else [0.5, 1.5],
            hue=[-0.03, 0.03] if soft else [-0.06, 0.06],
            gamma=[0.85, 1.15] if soft else [0.7, 1.3]
        ),
        transforms.Pad(padding=int(n_pixels / 2), padding_mode=padding_mode),
        transforms.RandomAffine(
            degrees=[-8, 8] if soft else [-15, 15],
            translate=(1/16, 1/16),
            scale=(0.95, 1.05) if soft else (0.9, 1.1),
            shear=None,
            interpolation=transforms.InterpolationMode.BILINEAR,  # the reference: PIL.Image.BILINEAR (same mode, no deprecation warning)
            fill=0
        )
    ]
    if cotta_augs:
        tta_transforms += [transforms.GaussianBlur(kernel_size=5, sigma=[0.001, 0.25] if soft else [0.001, 0.5]),
                           transforms.CenterCrop(size=n_pixels),
                           transforms.RandomHorizontalFlip(p=0.5),
                           GaussianNoise(0, gaussian_std),
                           Clip(0.0, 1.0)]
    else:
        tta_transforms += [transforms.CenterCrop(size=n_pixels),
                           transforms.RandomHorizontalFlip(p=0.5),
                           Clip(0.0, 1.0)]

    return transforms.Compose(tta_transforms)


# ---- utils/losses.py, utils/misc.py ----

class SymmetricCrossEntropy(nn.Module):
    def __init__(self, alpha=0.5):
        super(SymmetricCrossEntropy, self).__init__()
        self.alpha = alpha

    def __call__(self, x, x_ema):
        return -(1-self.alpha) * (x_ema.softmax(1) * x.log_softmax(1)).sum(1) - self.alpha * (x.softmax(1) * x_ema.log_softmax(1)).sum(1)


@torch.no_grad()
def ema_update_model(model_to_update, model_to_merge, momentum, device, update_all=False):
    if momentum < 1.0:
        for param_to_update, param_to_merge in zip(model_to_update.parameters(), model_to_merge.parameters()):
            if param_to_update.requires_grad or update_all:
                param_to_update.data = momentum * param_to_update.data + (1 - momentum) * param_to_merge.data.to(device)
    return model_to_update


# ---- the network: cnn-twin.pt with the reference's normalisation in front of the encoder ----

class NormalizedTwin(nn.Module):
    """The reference's model layout (normalisation inside the model, images in [0, 1]) around the
    TorchScript fixture; features/classify are the encoder/classifier split_up_model would give."""

    def __init__(self, scripted, mean, std):
        super().__init__()
        self.model = scripted
        self.mean = mean
        self.std = std

    def features(self, x):
        return self.model.features((x - self.mean) / self.std)

    def classify(self, f):
        return self.model.classify(f)

    def forward(self, x):
        return self.classify(self.features(x))


def batch_norms(model):
    return [m for m in model.modules() if getattr(m, "original_name", type(m).__name__) in BN_CLASSES]


# ---- methods/rmt.py and methods/base.py, the batch path with RMT.NUM_SAMPLES_WARM_UP = 0 ----

class RMT:
    def __init__(self, model, num_classes, src_loader, img_size, lr=0.01, momentum=0.9, dampening=0.0,
                 wd=0.0, nesterov=True, m_teacher_momentum=0.999, temperature=0.1, projection_dim=128,
                 contrast_mode="all", lambda_ce_src=1.0, lambda_ce_trg=1.0, lambda_cont=1.0):
        # base.py TTAMethod.__init__
        self.model = model
        self.num_classes = num_classes
        self.device = "cpu"
        self.configure_model()
        self.params, _ = self.collect_params()
        self.optimizer = torch.optim.SGD(self.params, lr=lr, momentum=momentum, dampening=dampening,
                                         weight_decay=wd, nesterov=nesterov)
        # rmt.py RMT.__init__
        self.src_loader = src_loader
        self.src_loader_iter = iter(self.src_loader)
        self.contrast_mode = contrast_mode
        self.temperature = temperature
        self.base_temperature = self.temperature
        self.projection_dim = projection_dim
        self.lambda_ce_src = lambda_ce_src
        self.lambda_ce_trg = lambda_ce_trg
        self.lambda_cont = lambda_cont
        self.m_teacher_momentum = m_teacher_momentum

        self.tta_transform = get_tta_transforms(img_size)
        self.symmetric_cross_entropy = SymmetricCrossEntropy()

        # Setup EMA model
        self.model_ema = deepcopy(self.model)
        for param in self.model_ema.parameters():
            param.detach_()

        # split up the model
        self.feature_extractor, self.classifier = self.model.features, self.model.classify

        # get source prototypes (rmt.py's extraction branch; no file cache)
        features_src = torch.tensor([])
        labels_src = torch.tensor([])
        with torch.no_grad():
            for data in self.src_loader:
                x, y = data[0], data[1]
                tmp_features = self.feature_extractor(x.to(self.device))
                features_src = torch.cat([features_src, tmp_features.view(tmp_features.shape[:2]).cpu()], dim=0)
                labels_src = torch.cat([labels_src, y], dim=0)
                if len(features_src) > 100000:
                    break
        self.prototypes_src = torch.tensor([])
        for i in range(self.num_classes):
            mask = labels_src == i
            self.prototypes_src = torch.cat([self.prototypes_src, features_src[mask].mean(dim=0, keepdim=True)], dim=0)
        self.prototypes_src = self.prototypes_src.to(self.device).unsqueeze(1)
        self.prototype_labels_src = torch.arange(start=0, end=self.num_classes, step=1).to(self.device).long()

        # setup projector
        num_channels = self.prototypes_src.shape[-1]
        self.projector = nn.Sequential(nn.Linear(num_channels, self.projection_dim), nn.ReLU(),
                                       nn.Linear(self.projection_dim, self.projection_dim)).to(self.device)
        self.optimizer.add_param_group({'params': self.projector.parameters(), 'lr': self.optimizer.param_groups[0]["lr"]})

    def configure_model(self):
        """rmt.py configure_model, for a TorchScript model (see the module docstring)."""
        self.model.eval()
        for p in self.model.parameters():
            p.requires_grad_(True)
        for m in batch_norms(self.model):
            m.train()

    def collect_params(self):
        params = []
        names = []
        for nm, m in self.model.named_modules():
            for np_, p in m.named_parameters():
                if np_ in ['weight', 'bias'] and p.requires_grad:
                    params.append(p)
                    names.append(f"{nm}.{np_}")
        return params, names

    # Integrated from: https://github.com/HobbitLong/SupContrast/blob/master/losses.py
    def contrastive_loss(self, features, labels=None, mask=None):
        batch_size = features.shape[0]
        if labels is not None and mask is not None:
            raise ValueError('Cannot define both `labels` and `mask`')
        elif labels is None and mask is None:
            mask = torch.eye(batch_size, dtype=torch.float32).to(self.device)
        elif labels is not None:
            labels = labels.contiguous().view(-1, 1)
            if labels.shape[0] != batch_size:
                raise ValueError('Num of labels does not match num of features')
            mask = torch.eq(labels, labels.T).float().to(self.device)
        else:
            mask = mask.float().to(self.device)

        contrast_count = features.shape[1]
        contrast_feature = torch.cat(torch.unbind(features, dim=1), dim=0)
        contrast_feature = self.projector(contrast_feature)
        contrast_feature = F.normalize(contrast_feature, p=2, dim=1)
        if self.contrast_mode == 'one':
            anchor_feature = features[:, 0]
            anchor_count = 1
        elif self.contrast_mode == 'all':
            anchor_feature = contrast_feature
            anchor_count = contrast_count
        else:
            raise ValueError('Unknown mode: {}'.format(self.contrast_mode))

        # compute logits
        anchor_dot_contrast = torch.div(torch.matmul(anchor_feature, contrast_feature.T), self.temperature)
        # for numerical stability
        logits_max, _ = torch.max(anchor_dot_contrast, dim=1, keepdim=True)
        logits = anchor_dot_contrast - logits_max.detach()

        # tile mask
        mask = mask.repeat(anchor_count, contrast_count)
        # mask-out self-contrast cases
        logits_mask = torch.scatter(
            torch.ones_like(mask),
            1,
            torch.arange(batch_size * anchor_count).view(-1, 1).to(self.device),
            0
        )
        mask = mask * logits_mask

        # compute log_prob
        exp_logits = torch.exp(logits) * logits_mask
        log_prob = logits - torch.log(exp_logits.sum(1, keepdim=True))

        # compute mean of log-likelihood over positive
        mean_log_prob_pos = (mask * log_prob).sum(1) / mask.sum(1)

        # loss
        loss = - (self.temperature / self.base_temperature) * mean_log_prob_pos
        loss = loss.view(anchor_count, batch_size).mean()
        return loss

    def loss_calculation(self, x):
        imgs_test = x[0]

        # forward original test data
        features_test = self.feature_extractor(imgs_test)
        outputs_test = self.classifier(features_test)

        # forward augmented test data
        features_aug_test = self.feature_extractor(self.tta_transform(imgs_test))
        outputs_aug_test = self.classifier(features_aug_test)

        # forward original test data through the ema model
        outputs_ema = self.model_ema(imgs_test)

        with torch.no_grad():
            # dist[:, i] contains the distance from every source sample to one test sample
            dist = F.cosine_similarity(
                x1=self.prototypes_src.repeat(1, features_test.shape[0], 1),
                x2=features_test.view(1, features_test.shape[0], features_test.shape[1]).repeat(self.prototypes_src.shape[0], 1, 1),
                dim=-1)

            # for every test feature, get the nearest source prototype and derive the label
            _, indices = dist.topk(1, largest=True, dim=0)
            indices = indices.squeeze(0)

        features = torch.cat([self.prototypes_src[indices],
                              features_test.view(features_test.shape[0], 1, features_test.shape[1]),
                              features_aug_test.view(features_test.shape[0], 1, features_test.shape[1])], dim=1)
        loss_contrastive = self.contrastive_loss(features=features, labels=None)

        loss_self_training = (0.5 * self.symmetric_cross_entropy(outputs_test, outputs_ema) + 0.5 * self.symmetric_cross_entropy(outputs_aug_test, outputs_ema)).mean(0)
        loss = self.lambda_ce_trg * loss_self_training + self.lambda_cont * loss_contrastive

        if self.lambda_ce_src > 0:
            # sample source batch
            try:
                batch = next(self.src_loader_iter)
            except StopIteration:
                self.src_loader_iter = iter(self.src_loader)
                batch = next(self.src_loader_iter)

            # train on labeled source data
            imgs_src, labels_src = batch[0], batch[1]
            features_src = self.feature_extractor(imgs_src.to(self.device))
            outputs_src = self.classifier(features_src)
            loss_ce_src = F.cross_entropy(outputs_src, labels_src.to(self.device).long())
            loss += self.lambda_ce_src * loss_ce_src

        # create and return the ensemble prediction
        outputs = outputs_test + outputs_ema
        return outputs, loss

    @torch.enable_grad()
    def forward_and_adapt(self, x):
        outputs, loss = self.loss_calculation(x)
        loss.backward()
        self.optimizer.step()
        self.optimizer.zero_grad()

        self.model_ema = ema_update_model(
            model_to_update=self.model_ema,
            model_to_merge=self.model,
            momentum=self.m_teacher_momentum,
            device=self.device,
            update_all=True
        )
        return outputs

    def __call__(self, x):
        # base.py forward, batch path, OPTIM.STEPS = 1
        x = x if isinstance(x, list) else [x]
        return self.forward_and_adapt(x)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="fixtures/torchscript/cnn-twin.pt")
    p.add_argument("--batches", type=int, default=60)
    p.add_argument("--warmup", type=int, default=15)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--source-samples", type=int, default=256)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data", default=FMNIST)
    p.add_argument("--check", action="store_true",
                   help="also print the accuracy of the ensemble predictions (a sanity check)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(a.seed)
    with open(a.model + ".json") as f:
        meta = json.load(f)
    pre = meta["preprocessing"]
    scale = pre["scale"]
    images = read_idx(os.path.join(a.data, "t10k-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(a.data, "t10k-labels-idx1-ubyte.gz"))
    whole = len(images) // a.batch
    x = torch.from_numpy(images[:whole * a.batch].astype(np.float32)) * scale
    x = list(x.reshape(whole, a.batch, 1, 28, 28))
    y = list(torch.from_numpy(labels[:whole * a.batch].astype(np.int64)).reshape(whole, a.batch))
    # in order, from the start again after the last whole batch (as TtaCpuTime)
    order = [i % whole for i in range(a.warmup + a.batches)]
    src_x = torch.from_numpy(read_idx(os.path.join(a.data, "train-images-idx3-ubyte.gz"))[:a.source_samples]
                             .astype(np.float32)).reshape(-1, 1, 28, 28) * scale
    src_y = torch.from_numpy(read_idx(os.path.join(a.data, "train-labels-idx1-ubyte.gz"))[:a.source_samples].astype(np.int64))
    src_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(src_x, src_y), batch_size=a.batch,
                                             shuffle=True, num_workers=0, drop_last=False)

    model = NormalizedTwin(torch.jit.load(a.model, map_location="cpu"), pre["mean"], pre["std"])
    rmt = RMT(model, meta["numClasses"], src_loader, img_size=(28, 28))
    predictions = []
    for i in order[:a.warmup]:
        predictions.append(rmt(x[i]).max(1)[1].tolist())
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for i in order[a.warmup:]:
        predictions.append(rmt(x[i]).max(1)[1].tolist())
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    samples = a.batches * a.batch
    print(f"python rmt {samples / cpu:.1f} {samples / wall:.1f}", flush=True)
    if a.check:
        right = sum(int(p_ == t) for pr, i in zip(predictions, order) for p_, t in zip(pr, y[i].tolist()))
        print(f"# accuracy of the ensemble over {len(order)} batches: {right / (len(order) * a.batch):.3f}")


if __name__ == "__main__":
    main()
