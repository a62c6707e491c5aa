"""Continue a Polyglot Lab training run at scale with sentence-transformers.

Written by `npm run lab -- export-recipe`: run_config.json is the app's RunConfig, train_groups.jsonl
the same training pool the app drew from (its split, without the held-out languages), recipe.json
the start model. Hybrid batches come from hybrid_sampler.py (PyTorch only), the loss is
MultipleNegativesRankingLoss (in-batch InfoNCE on cosine similarity, scale = 1 / temperature) or its
cached variant for large batches (the app's gradient cache, train.cacheChunk).

One GPU:      python train.py
Several GPUs: torchrun --nproc_per_node 4 train.py     or     accelerate launch train.py
(each process gets its own share of the batches; the sampler is seeded identically everywhere).

The trained model is written to output/model: a sentence-transformers folder the app loads back
(drop the folder on the page, or `npm run lab -- eval --model output/model ...`).
"""
import json
import os

from datasets import Dataset
from sentence_transformers import (SentenceTransformer, SentenceTransformerTrainer,
                                   SentenceTransformerTrainingArguments, losses)

from hybrid_sampler import HybridBatchSampler, pair_table

HERE = os.path.dirname(os.path.abspath(__file__))
config = json.load(open(os.path.join(HERE, "run_config.json")))
recipe = json.load(open(os.path.join(HERE, "recipe.json")))
train = config["train"]
tok = config["tokenization"]
groups = [json.loads(line) for line in open(os.path.join(HERE, "train_groups.jsonl"), encoding="utf-8")]
languages = recipe["languages"]

table = pair_table(groups)
dataset = Dataset.from_dict({
    "anchor": [tok.get("queryPrefix", "") + groups[g]["langs"][x]["query"] for g, x, _ in table],
    "positive": [tok.get("passagePrefix", "") + groups[g]["langs"][y]["positive"] for g, _, y in table],
})

model = SentenceTransformer(recipe["startModel"])
model.max_seq_length = tok.get("maxLength", model.max_seq_length)
scale = 1.0 / train.get("temperature", 0.05)
variant = train.get("loss", "in-batch")
if variant == "paper":
    raise SystemExit("the paper's InfoNCE variant (hard negatives only in the denominator) has no sentence-transformers loss; use in-batch")
if train.get("cacheChunk"):
    loss_class = losses.CachedMultipleNegativesSymmetricRankingLoss if variant == "symmetric" else losses.CachedMultipleNegativesRankingLoss
    loss = loss_class(model, scale=scale, mini_batch_size=train["cacheChunk"])
else:
    loss_class = losses.MultipleNegativesSymmetricRankingLoss if variant == "symmetric" else losses.MultipleNegativesRankingLoss
    loss = loss_class(model, scale=scale)


class HybridBatchTrainer(SentenceTransformerTrainer):
    """The trainer with the app's batch sampler in place of sentence-transformers' own."""

    def get_batch_sampler(self, dataset, batch_size, drop_last, valid_label_columns=None, generator=None, seed=0):
        return HybridBatchSampler(
            groups, languages, batch_size, kind=train.get("sampler", "hybrid"), cross_mode=train.get("crossMode", "batch"),
            schedule=train.get("alpha"), steps=train["steps"] * train.get("accumulation", 1), seed=config.get("seed", 0))


args = SentenceTransformerTrainingArguments(
    output_dir=os.path.join(HERE, "output"),
    per_device_train_batch_size=train["batchSize"],
    gradient_accumulation_steps=train.get("accumulation", 1),
    max_steps=train["steps"],
    learning_rate=train["lr"],
    warmup_steps=train.get("warmupSteps", 0),
    lr_scheduler_type="linear",
    weight_decay=train.get("weightDecay", 0.01),
    max_grad_norm=train.get("maxGradNorm", 1.0),
    seed=config.get("seed", 0),
    save_steps=train.get("checkpointEvery", 500),
    logging_steps=10,
    bf16=os.environ.get("BF16", "0") == "1",
)
trainer = HybridBatchTrainer(model=model, args=args, train_dataset=dataset, loss=loss)
trainer.train()
if trainer.is_world_process_zero():
    model.save(os.path.join(HERE, "output", "model"))
