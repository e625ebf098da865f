"""Every input format becomes one small in-memory schema.

Questions carry the ids of their gold passages (and answers when the file has
them); passages live in a ``Corpus`` deduplicated by text, so that two
questions about the same paragraph point at the same passage id. Readers are the
only code that knows file formats:

- QA data: a ``datasets`` DatasetDict/Dataset saved with ``save_to_disk``
  (the competition layout), SQuAD-style JSON (SQuAD, KorQuAD, KLUE-MRC), and
  JSONL / JSON records / CSV / TSV / Parquet tables with question and context columns.
- Corpora: the competition's ``wikipedia_documents.json`` (an object of
  ``{"<id>": {"text", "title", ...}}``), JSONL / JSON records ``{id, title, text}``
  (BEIR's ``_id`` too), and DPR's TSV (``id \\t text \\t title`` with a header row).
- BEIR data sets: a directory with ``corpus.jsonl``, ``queries.jsonl`` and ``qrels/<split>.tsv``,
  named ``DIR`` or ``DIR:SPLIT``; its questions' gold passages are corpus ids, graded as the qrels say.

Every problem with a file is raised as ``UserError`` naming the file and the field.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from errors import UserError

TABLE_SUFFIXES = {".jsonl", ".json", ".csv", ".tsv", ".parquet"}
# The csv module refuses fields over 131,072 characters by default; a long passage is no malformed file.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass(frozen=True)
class Passage:
    id: str
    title: str
    text: str


@dataclass(frozen=True)
class Question:
    """A question, the ids of its gold passages (empty when unknown) and its answers (may be empty)."""

    id: str
    text: str
    gold_ids: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()
    answer_starts: tuple[int, ...] = ()
    # Graded judgements (passage id, grade) as qrels give them, 0 included; gold_ids are those graded 1 or more.
    relevance: tuple[tuple[str, int], ...] = ()


def add_to_fingerprint(digest, passage_id: str, title: str, text: str) -> None:
    """One passage's part of a corpus fingerprint (``Corpus.fingerprint``, and the mapped corpus's, which must
    equal it): its id, title and text, each ended by a zero byte."""
    for part in (passage_id, title, text):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")


@dataclass
class Corpus:
    """Passages deduplicated by text; ``aliases`` maps every id seen in the input to the kept id."""

    passages: list[Passage] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    by_text: dict[str, str] = field(default_factory=dict)
    digest: str | None = field(default=None, repr=False, compare=False)  # fingerprint(), until a passage is added

    def add(self, text: str, title: str = "", passage_id: str | None = None) -> str:
        """Add a passage unless its text is already present; return the kept id."""
        kept = self.by_text.get(text)
        if kept is None:
            self.digest = None
            kept = passage_id if passage_id is not None else text_id(text)
            if kept in self.positions:
                kept = f"{kept}#{len(self.passages)}"
            self.positions[kept] = len(self.passages)
            self.passages.append(Passage(kept, title, text))
            self.by_text[text] = kept
        if passage_id is not None:
            self.aliases.setdefault(passage_id, kept)
        self.aliases.setdefault(kept, kept)
        return kept

    def __len__(self) -> int:
        return len(self.passages)

    def __getitem__(self, passage_id: str) -> Passage:
        return self.passages[self.position(passage_id)]

    def position(self, passage_id: str) -> int:
        """The passage's position among the kept passages (its row in ``ids``, ``texts`` and the indexes)."""
        return self.positions[self.aliases.get(passage_id, passage_id)]

    def id_of_text(self, text: str) -> str | None:
        """The id the corpus keeps a passage of exactly this text under, or None."""
        return self.by_text.get(text)

    def __contains__(self, passage_id: object) -> bool:
        return passage_id in self.aliases or passage_id in self.positions

    def kept_id(self, passage_id: str) -> str | None:
        """The id this corpus keeps the passage under (another id for a duplicate text), or None if absent."""
        return self.aliases.get(passage_id)

    @property
    def ids(self) -> list[str]:
        return [passage.id for passage in self.passages]

    @property
    def texts(self) -> list[str]:
        return [passage.text for passage in self.passages]

    def fingerprint(self) -> str:
        """A hash of every passage's id, title and text, in order; computed once (the index caches, the mining
        caches and the run record each ask for it: at millions of passages that is seconds each time)."""
        if self.digest is None:
            digest = hashlib.sha256()
            for passage in self.passages:
                add_to_fingerprint(digest, passage.id, passage.title, passage.text)
            self.digest = digest.hexdigest()
        return self.digest


@dataclass
class QAData:
    questions: list[Question]
    corpus: Corpus

    def fingerprint(self) -> str:
        digest = hashlib.sha256(self.corpus.fingerprint().encode())
        for question in self.questions:
            graded = [question.relevance] if question.relevance else []  # only where qrels grade: older caches stay
            digest.update(
                json.dumps([question.id, question.text, question.gold_ids, question.answers, *graded]).encode()
            )
        return digest.hexdigest()


@dataclass(frozen=True)
class ColumnNames:
    """Column names of tabular QA files; flags override them."""

    question: str = "question"
    context: str = "context"
    id: str = "id"
    title: str = "title"
    answers: str = "answers"
    document_id: str = "document_id"


def text_id(text: str) -> str:
    """A stable id derived from the passage text, so the same text gets the same id in every file."""
    return "p" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# Low-level file reading


def check_exists(path: str | Path, what: str) -> Path:
    path = Path(path)
    if not path.exists():
        raise UserError(f"{what} {path}: no such file or directory")
    return path


def read_text(path: Path) -> str:
    """Read UTF-8 text (a leading BOM is dropped); undecodable bytes are a UserError."""
    try:
        raw = path.read_bytes()
    except IsADirectoryError as error:
        raise UserError(f"{path}: expected a file, found a directory") from error
    except OSError as error:
        raise UserError(f"{path}: cannot read ({error.strerror or error})") from error
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(
            f"{path}: not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start}); convert the file to UTF-8"
        ) from error


def decoded_lines(path: Path) -> Iterator[str]:
    """The file's lines, each with its ``\n`` (split on ``\n`` only), decoded as UTF-8 one at a time (a leading
    BOM is dropped), so that a file of any size streams; undecodable bytes are the same UserError as ``read_text``."""
    try:
        handle = path.open("rb")
    except IsADirectoryError as error:
        raise UserError(f"{path}: expected a file, found a directory") from error
    except OSError as error:
        raise UserError(f"{path}: cannot read ({error.strerror or error})") from error
    offset = 0
    with handle:
        for raw in handle:
            try:
                line = raw.decode("utf-8-sig" if offset == 0 else "utf-8")
            except UnicodeDecodeError as error:
                at = offset + error.start
                raise UserError(
                    f"{path}: not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {at}); convert the file to UTF-8"
                ) from error
            offset += len(raw)
            yield line


# A \ud800-\udfff escape in JSON that is not half of a pair decodes to a lone surrogate: a str that no UTF-8
# writer, hash or tokenizer accepts. Only JSON can carry one (UTF-8 bytes cannot), so only JSON is checked.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(data: Any, replaced: list[int]) -> Any:
    """``data`` (parsed JSON) with every lone surrogate replaced by U+FFFD; ``replaced[0]`` counts the strings."""
    if isinstance(data, str):
        if not LONE_SURROGATE.search(data):
            return data
        replaced[0] += 1
        return LONE_SURROGATE.sub("\ufffd", data)
    if isinstance(data, list):
        return [without_lone_surrogates(item, replaced) for item in data]
    if isinstance(data, dict):
        return {without_lone_surrogates(k, replaced): without_lone_surrogates(v, replaced) for k, v in data.items()}
    return data


def warn_replaced(path: Path, replaced: list[int]) -> None:
    if replaced[0]:
        warn(
            f"{path}: {replaced[0]} strings hold lone UTF-16 surrogates (\\ud800-\\udfff escapes that encode no "
            "character); replaced each with U+FFFD"
        )


def parse_json(path: Path) -> Any:
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UserError(f"{path}: invalid JSON at line {error.lineno} column {error.colno}: {error.msg}") from error
    except RecursionError as error:
        raise UserError(f"{path}: JSON nested too deeply to read") from error
    if SURROGATE_ESCAPE.search(text):
        replaced = [0]
        data = without_lone_surrogates(data, replaced)
        warn_replaced(path, replaced)
    return data


def read_jsonl(path: Path) -> Iterator[dict]:
    replaced = [0]
    # Split on "\n" only: JSON strings may hold U+2028, U+0085 and other characters that splitlines() breaks at.
    for number, line in enumerate(decoded_lines(path), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise UserError(f"{path}: invalid JSON at line {number} column {error.colno}: {error.msg}") from error
        except RecursionError as error:
            raise UserError(f"{path}: line {number}: JSON nested too deeply to read") from error
        if not isinstance(record, dict):
            raise UserError(f"{path}: line {number}: expected a JSON object, found {type(record).__name__}")
        yield without_lone_surrogates(record, replaced) if SURROGATE_ESCAPE.search(line) else record
    warn_replaced(path, replaced)


def read_delimited(path: Path, delimiter: str) -> list[dict]:
    return list(iter_delimited(path, delimiter))


def iter_delimited(path: Path, delimiter: str) -> Iterator[dict]:
    """The rows of a CSV or TSV file with a header row, one at a time."""
    try:
        # Lines keep their line breaks, so that quoted fields may span lines, as the csv module requires.
        yield from csv.DictReader(decoded_lines(path), delimiter=delimiter)
    except csv.Error as error:
        raise UserError(f"{path}: malformed {'TSV' if delimiter == chr(9) else 'CSV'}: {error}") from error


def read_parquet(path: Path) -> list[dict]:
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path).to_pylist()
    except Exception as error:  # pyarrow raises several types for a bad file
        raise UserError(f"{path}: cannot read as Parquet ({error})") from error


def read_records(path: Path) -> list[dict]:
    """Rows of a JSONL, JSON-records, CSV, TSV or Parquet file."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return list(read_jsonl(path))
    if suffix == ".csv":
        return read_delimited(path, ",")
    if suffix == ".tsv":
        return read_delimited(path, "\t")
    if suffix == ".parquet":
        return read_parquet(path)
    if suffix == ".json":
        data = parse_json(path)
        if isinstance(data, list) and all(isinstance(row, dict) for row in data):
            return data
        raise UserError(f"{path}: expected a list of JSON objects")
    raise UserError(f"{path}: unknown format '{suffix}'; expected one of {', '.join(sorted(TABLE_SUFFIXES))}")


def require_string(value: Any, path: Path, where: str, name: str) -> str:
    if not isinstance(value, str):
        found = "nothing" if value is None else type(value).__name__
        raise UserError(f"{path}: {where}: field '{name}' must be a string, found {found}")
    if not value.strip():
        raise UserError(f"{path}: {where}: field '{name}' is empty")
    return value


# ---------------------------------------------------------------------------------------------
# QA data


class QABuilder:
    """Collects (question, passage, answers) records into ``QAData``.

    A question id seen twice with two different passages keeps both as gold; seen with two different
    question texts, it is an error (merging them would credit one question with the other's passage). Answers whose
    ``answer_start`` does not point at the answer text are counted and located by text.
    """

    def __init__(self, path: Path):
        self.path = path
        self.corpus = Corpus()
        self.questions: dict[str, Question] = {}
        self.first_seen: dict[str, str] = {}  # question id -> where it first appeared
        self.mismatched_starts = 0

    def add(
        self,
        where: str,
        question: Any,
        context: Any,
        question_id: Any = None,
        title: Any = "",
        answers: Any = None,
        document_id: Any = None,
    ) -> None:
        question = require_string(question, self.path, where, "question")
        context = require_string(context, self.path, where, "context")
        title = title if isinstance(title, str) else ""
        passage = self.corpus.add(context, title)  # named by its text: the same id in every file
        if document_id not in (None, ""):  # the data's own id names it too (negatives files use it)
            self.corpus.aliases.setdefault(str(document_id), passage)
        texts, starts = self.parse_answers(answers, where)
        starts = tuple(self.checked_start(context, text, start) for text, start in zip(texts, starts))
        qid = str(question_id) if question_id not in (None, "") else f"q{len(self.questions)}"
        known = self.questions.get(qid)
        if known is None:
            self.questions[qid] = Question(qid, question, (passage,), texts, starts)
            self.first_seen[qid] = where
        elif known.text != question:
            raise duplicate_id_error(self.path, qid, self.first_seen[qid], where)
        elif passage not in known.gold_ids:
            self.questions[qid] = Question(
                qid, known.text, known.gold_ids + (passage,), known.answers + texts, known.answer_starts + starts
            )

    def parse_answers(self, answers: Any, where: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """Accept SQuAD lists of {text, answer_start}, the datasets form {text: [...], answer_start: [...]},
        a list of strings, or one string."""
        if answers is None or answers == "":
            return (), ()
        if isinstance(answers, str):
            try:
                decoded = json.loads(answers)
            except (json.JSONDecodeError, RecursionError):
                decoded = None
            if not isinstance(decoded, list | Mapping):  # a plain answer such as "1392" or "true"
                return (answers,), (-1,)
            return self.parse_answers(decoded, where)
        if isinstance(answers, Mapping):
            texts = answers.get("text", [])
            starts = answers.get("answer_start")
            if isinstance(texts, str):
                texts, starts = [texts], [starts]
            if starts is None:
                starts = [-1] * len(texts) if isinstance(texts, list | tuple) else []
            if not isinstance(texts, list | tuple) or not isinstance(starts, list | tuple):
                raise UserError(
                    f"{self.path}: {where}: field 'answers' must hold a 'text' list and an 'answer_start' list"
                )
            pairs = [(text, starts[i] if i < len(starts) else -1) for i, text in enumerate(texts)]
        elif isinstance(answers, list):
            pairs = []
            for answer in answers:
                if isinstance(answer, Mapping):
                    pairs.append((answer.get("text"), answer.get("answer_start", -1)))
                else:
                    pairs.append((answer, -1))
        else:
            raise UserError(f"{self.path}: {where}: field 'answers' has an unknown shape ({type(answers).__name__})")
        texts, starts = [], []
        for text, start in pairs:
            if not isinstance(text, str) or not text:
                raise UserError(f"{self.path}: {where}: every answer needs a non-empty 'text'")
            texts.append(text)
            usable = isinstance(start, int | float) and not isinstance(start, bool) and math.isfinite(start)
            starts.append(int(start) if usable else -1)
        return tuple(texts), tuple(starts)

    def checked_start(self, context: str, text: str, start: int) -> int:
        if start >= 0 and context[start : start + len(text)] == text:
            return start
        if start >= 0:
            self.mismatched_starts += 1
        return context.find(text)

    def build(self) -> QAData:
        if not self.questions:
            raise UserError(f"{self.path}: no questions found")
        if self.mismatched_starts:
            warn(
                f"{self.path}: {self.mismatched_starts} answers have an 'answer_start' that does not point at "
                "the answer text; located them by text instead"
            )
        return QAData(list(self.questions.values()), self.corpus)


def squad_to_qa(data: Any, path: Path) -> QAData:
    """SQuAD / KorQuAD / KLUE-MRC JSON: ``data[].paragraphs[].qas[]``."""
    if not isinstance(data, dict) or "data" not in data:
        raise UserError(f"{path}: SQuAD-style JSON needs a top-level 'data' list")
    articles = data["data"]
    if not isinstance(articles, list):
        raise UserError(f"{path}: 'data' must be a list of articles")
    builder = QABuilder(path)
    for a, article in enumerate(articles):
        if not isinstance(article, dict) or not isinstance(article.get("paragraphs"), list):
            raise UserError(f"{path}: data[{a}]: missing 'paragraphs' list")
        title = article.get("title", "")
        for p, paragraph in enumerate(article["paragraphs"]):
            where = f"data[{a}].paragraphs[{p}]"
            if not isinstance(paragraph, dict) or not isinstance(paragraph.get("qas"), list):
                raise UserError(f"{path}: {where}: missing 'qas' list")
            for q, qa in enumerate(paragraph["qas"]):
                if not isinstance(qa, dict) or "question" not in qa:
                    raise UserError(f"{path}: {where}.qas[{q}]: missing 'question'")
                builder.add(
                    f"{where}.qas[{q}]",
                    qa["question"],
                    paragraph.get("context"),
                    qa.get("id"),
                    title,
                    qa.get("answers"),
                )
    return builder.build()


def records_to_qa(records: Iterable[Mapping], path: Path, columns: ColumnNames) -> QAData:
    records = list(records)
    if not records:
        raise UserError(f"{path}: no rows found")
    present = set().union(*(record.keys() for record in records))
    for flag, name in (("--question_column", columns.question), ("--context_column", columns.context)):
        if name not in present:
            raise UserError(
                f"{path}: no column '{name}' (found: {', '.join(sorted(map(str, present)))}); "
                f"name the right one with {flag}"
            )
    builder = QABuilder(path)
    for number, record in enumerate(records):
        builder.add(
            f"row {number + 1}",
            record.get(columns.question),
            record.get(columns.context),
            record.get(columns.id),
            record.get(columns.title, ""),
            record.get(columns.answers),
            record.get(columns.document_id),
        )
    return builder.build()


def load_disk_dataset(path: Path, split: str | None) -> list[dict]:
    import datasets

    try:
        loaded = datasets.load_from_disk(str(path))
    except FileNotFoundError as error:
        raise UserError(f"{path}: directory holds no dataset saved with save_to_disk") from error
    if isinstance(loaded, datasets.DatasetDict):
        if split is None:
            raise UserError(f"{path}: a DatasetDict with splits {list(loaded)}; name one as {path}:SPLIT")
        if split not in loaded:
            raise UserError(f"{path}: no split '{split}' (found: {', '.join(loaded)})")
        loaded = loaded[split]
    return loaded.to_list()


def split_path(spec: str | Path) -> tuple[Path, str | None]:
    """``DIR:split`` names a split of a saved DatasetDict; anything else is a plain path."""
    text = str(spec)
    head, sep, tail = text.rpartition(":")
    if sep and head and tail and "/" not in tail and not Path(text).exists():
        return Path(head), tail
    return Path(text), None


def read_qa_source(spec: str | Path, split: str | None, flag: str) -> tuple[Path, dict | list[dict]]:
    """The raw content of a QA source: a SQuAD-style object, or a list of row records."""
    path, named_split = split_path(spec)
    path = check_exists(path, flag)
    if path.is_dir():
        return path, load_disk_dataset(path, named_split or split)
    if path.suffix.lower() == ".json":
        data = parse_json(path)
        if isinstance(data, dict) or (isinstance(data, list) and all(isinstance(row, dict) for row in data)):
            return path, data
        raise UserError(f"{path}: expected SQuAD-style JSON (an object with 'data') or a list of records")
    return path, read_records(path)


def qa_from_source(path: Path, source: dict | list[dict], columns: ColumnNames) -> QAData:
    return squad_to_qa(source, path) if isinstance(source, dict) else records_to_qa(source, path, columns)


def load_qa(
    spec: str | Path, columns: ColumnNames = ColumnNames(), split: str | None = None, flag: str = "data"
) -> QAData:
    """Read questions with gold passages from any supported file, saved dataset or BEIR directory."""
    beir = beir_source(spec, flag)
    if beir is not None:
        return beir_qa(*beir, with_corpus=True)
    return qa_from_source(*read_qa_source(spec, split, flag), columns)


def load_queries(
    spec: str | Path, columns: ColumnNames = ColumnNames(), split: str | None = None, flag: str = "--queries"
) -> QAData:
    """Questions to retrieve for; a table without the context column gives questions with no gold passage."""
    beir = beir_source(spec, flag)
    if beir is not None:
        return beir_qa(*beir, with_corpus=False)
    path = Path(spec)
    if path.suffix.lower() == ".tsv" and path.is_file() and headerless_pairs(path, columns.question):
        return QAData([Question(qid, text) for qid, text in read_pairs(path)], Corpus())
    path, source = read_qa_source(spec, split, flag)
    if isinstance(source, list) and source and not any(columns.context in row for row in source):
        return questions_only(source, path, columns)
    return qa_from_source(path, source, columns)


def questions_only(records: list[dict], path: Path, columns: ColumnNames) -> QAData:
    if not any(columns.question in row for row in records):
        raise UserError(f"{path}: no column '{columns.question}'; name the right one with --question_column")
    questions, first_seen = [], {}
    for number, record in enumerate(records):
        where = f"row {number + 1}"
        text = require_string(record.get(columns.question), path, where, columns.question)
        question_id = record.get(columns.id)
        question = Question(str(question_id) if question_id not in (None, "") else f"q{number}", text)
        if question.id in first_seen and questions[first_seen[question.id][1]].text != text:
            raise duplicate_id_error(path, question.id, first_seen[question.id][0], where)
        first_seen.setdefault(question.id, (where, len(questions)))
        questions.append(question)
    return QAData(questions, Corpus())


def duplicate_id_error(path: Path, question_id: str, first: str, second: str) -> UserError:
    return UserError(
        f"{path}: {second}: question id '{question_id}' is already used by {first} for a different question; "
        "question ids must be unique"
    )


# ---------------------------------------------------------------------------------------------
# Corpora


def corpus_from_records(records: Iterable[tuple[str, Any, Any]], path: Path) -> Corpus:
    """Build a corpus from (id, title, text) triples; an id used twice for two texts is an error."""
    corpus = Corpus()
    texts_by_id: dict[str, str] = {}
    for passage_id, title, text in records:
        where = f"passage '{passage_id}'"
        text = require_string(text, path, where, "text")
        seen = texts_by_id.setdefault(passage_id, text)
        if seen != text:
            raise UserError(f"{path}: id '{passage_id}' is used for two different passage texts")
        corpus.add(text, title if isinstance(title, str) else "", passage_id)
    if not len(corpus):
        raise UserError(f"{path}: the corpus is empty")
    return corpus


def streamed_corpus(path: Path) -> tuple[Path, Iterator[tuple[str, Any, Any]]] | None:
    """(the file read, its (id, title, text) records one at a time) for the corpus formats that stream: a BEIR
    directory, JSONL, DPR TSV and MS MARCO TSV; None for the others (read whole)."""
    if path.is_dir() and (path / BEIR_CORPUS).is_file():
        path = path / BEIR_CORPUS
    if path.is_dir():
        raise UserError(
            f"{path}: expected a corpus file (.json, .jsonl or .tsv) or a BEIR directory, found a directory"
        )
    suffix = path.suffix.lower()
    if suffix == ".tsv" and headerless_pairs(path, "id"):
        return path, ((pid, "", text) for pid, text in read_pairs(path))
    if suffix == ".tsv":
        return path, dpr_tsv_records(path)
    if suffix == ".jsonl":
        return path, table_records(read_jsonl(path), path)
    return None


def dpr_tsv_records(path: Path) -> Iterator[tuple[str, Any, Any]]:
    for number, row in enumerate(iter_delimited(path, "\t")):
        if number == 0 and not {"id", "text"} <= set(row):
            raise UserError(
                f"{path}: DPR TSV needs a header row 'id<TAB>text<TAB>title' (MS MARCO's id<TAB>passage rows need none)"
            )
        yield row["id"], row.get("title", ""), row["text"]


def table_records(rows: Iterable, path: Path) -> Iterator[tuple[str, Any, Any]]:
    """(id, title, text) of corpus records ``{"id" or "_id", "title", "text"}``; a record's number is its id
    when it has none."""
    for number, row in enumerate(rows):
        if not isinstance(row, dict) or "text" not in row:
            raise UserError(f"{path}: record {number + 1}: expected an object with 'text' (and 'id', 'title')")
        yield str(row.get("id", row.get("_id", number))), row.get("title", ""), row["text"]


def load_corpus(path: str | Path) -> Corpus:
    """Read a retrieval corpus in any supported shape into memory (``mapped_corpus.open_corpus`` maps large ones)."""
    path = check_exists(path, "--corpus")
    streamed = streamed_corpus(path)
    if streamed is not None:
        return corpus_from_records(streamed[1], streamed[0])
    suffix = path.suffix.lower()
    if suffix == ".json":
        data = parse_json(path)
        if isinstance(data, dict) and "data" in data and isinstance(data["data"], list):
            return squad_to_qa(data, path).corpus
        if isinstance(data, dict):
            if not all(isinstance(value, dict) for value in data.values()):
                raise UserError(f"{path}: expected an object of {{id: {{text, title}}}} passages")
            return corpus_from_records(((str(k), v.get("title", ""), v.get("text")) for k, v in data.items()), path)
        if isinstance(data, list):
            return corpus_from_table(data, path)
        raise UserError(f"{path}: unknown corpus shape; expected {{id: {{text, title}}}} or a list of {{id, text}}")
    if suffix in (".csv", ".parquet"):
        return corpus_from_table(read_records(path), path)
    raise UserError(f"{path}: unknown corpus format '{suffix}'; expected .json, .jsonl, .tsv, .csv or .parquet")


def corpus_from_table(rows: list, path: Path) -> Corpus:
    return corpus_from_records(table_records(rows, path), path)


# ---------------------------------------------------------------------------------------------
# BEIR data sets


BEIR_CORPUS, BEIR_QUERIES, BEIR_QRELS = "corpus.jsonl", "queries.jsonl", "qrels"
# The qrels split each flag reads when DIR names none (BEIR's own split names).
BEIR_SPLITS = {"--train_data": "train", "--validation_data": "dev", "--queries": "test"}
QRELS_HEADER = ("query-id", "corpus-id", "score")


def beir_source(spec: str | Path, flag: str) -> tuple[Path, str] | None:
    """(directory, qrels split) when ``spec`` names a BEIR directory (``DIR`` or ``DIR:SPLIT``), else None."""
    path, named_split = split_path(spec)
    if not (path.is_dir() and (path / BEIR_QUERIES).is_file() and (path / BEIR_QRELS).is_dir()):
        return None
    return path, named_split or BEIR_SPLITS.get(flag, "test")


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """query id -> {corpus id: grade} of a BEIR qrels TSV (header ``query-id  corpus-id  score``)."""
    rows = read_delimited(path, "\t")
    if not rows or not set(QRELS_HEADER) <= set(rows[0]):
        raise UserError(f"{path}: expected a header row 'query-id<TAB>corpus-id<TAB>score' and judgements under it")
    qrels: dict[str, dict[str, int]] = {}
    for line, row in enumerate(rows, start=2):
        try:
            grade = int(str(row["score"]).strip())
        except ValueError as error:
            raise UserError(f"{path}: line {line}: score must be an integer grade, found {row['score']!r}") from error
        if row["corpus-id"] is None:
            raise UserError(f"{path}: line {line}: expected 3 tab-separated fields (query-id, corpus-id, score)")
        qrels.setdefault(str(row["query-id"]), {})[str(row["corpus-id"])] = grade
    return qrels


def read_beir_queries(path: Path) -> dict[str, str]:
    texts = {}
    for number, record in enumerate(read_jsonl(path), start=1):
        query_id = record.get("_id")
        if query_id in (None, ""):
            raise UserError(f"{path}: line {number}: expected an '_id' and a 'text' (BEIR queries)")
        texts[str(query_id)] = require_string(record.get("text"), path, f"line {number}", "text")
    return texts


def beir_qa(directory: Path, split: str, with_corpus: bool) -> QAData:
    """The questions of one qrels split, each with its passages graded 1 or more as gold. ``with_corpus``: the
    BEIR corpus comes along and the gold ids are checked against it (training); else gold ids name passages of
    the corpus given apart (``rerank.py --corpus``), matched by id."""
    qrels_path = directory / BEIR_QRELS / f"{split}.tsv"
    if not qrels_path.is_file():
        found = sorted(path.stem for path in (directory / BEIR_QRELS).glob("*.tsv"))
        found_splits = ", ".join(found) or "none"
        raise UserError(f"{directory}: no qrels split '{split}' (found: {found_splits}); name one as {directory}:SPLIT")
    qrels = read_qrels(qrels_path)
    texts = read_beir_queries(directory / BEIR_QUERIES)
    unknown = [query_id for query_id in qrels if query_id not in texts]
    if unknown:
        raise UserError(f"{qrels_path}: query-id '{unknown[0]}' is not in {BEIR_QUERIES} ({len(unknown)} such)")
    corpus = load_corpus(directory) if with_corpus else Corpus()
    if with_corpus:
        qrels = judged_in_corpus(qrels, corpus, qrels_path)
    questions = judged_questions(((query_id, texts[query_id]) for query_id in qrels), qrels, qrels_path)
    if not questions:
        raise UserError(f"{qrels_path}: no query has a passage graded 1 or more")
    return QAData(questions, corpus)


def judged_questions(
    questions: Iterable[tuple[str, str]], qrels: dict[str, dict[str, int]], path: Path
) -> list[Question]:
    """Each (id, text) question with its graded judgements, its passages graded 1 or more as gold; a question with
    none is left out, and a warning counts those."""
    judged, unjudged = [], 0
    for question_id, text in questions:
        grades = qrels.get(question_id, {})
        gold = tuple(pid for pid, grade in grades.items() if grade >= 1)
        if gold:
            judged.append(Question(question_id, text, gold, relevance=tuple(grades.items())))
        else:
            unjudged += 1
    if unjudged:
        warn(f"{path}: {unjudged} queries have no passage graded 1 or more; left out")
    return judged


def judged_in_corpus(
    qrels: dict[str, dict[str, int]], corpus: Corpus, path: Path, corpus_name: str = BEIR_CORPUS
) -> dict[str, dict[str, int]]:
    """The judgements with each corpus id as the corpus keeps it (a duplicate text's id -> the kept one); those
    of passages not in the corpus (``corpus_name``) are dropped with a warning, and none matching is an error."""
    kept, missing = {}, []
    for query_id, judged in qrels.items():
        kept[query_id] = {corpus.kept_id(pid): grade for pid, grade in judged.items() if pid in corpus}
        missing += [pid for pid in judged if pid not in corpus]
    if missing and not any(kept.values()):
        raise UserError(f"{path}: no judged passage id is an id of {corpus_name} (first: '{missing[0]}')")
    if missing:
        warn(f"{path}: {len(missing)} judged passages are not in {corpus_name} (first: '{missing[0]}'); ignored")
    return kept


# ---------------------------------------------------------------------------------------------
# MS MARCO / TREC files: ``id<TAB>text`` rows with no header (collection.tsv, queries.tsv), and TREC qrels


def headerless_pairs(path: Path, header_name: str) -> bool:
    """True when ``path`` is MS MARCO's ``id<TAB>text`` with no header: two fields on its first line, neither of
    them the column name a headed file would have (``header_name``, ``id``, ``text``)."""
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as handle:
            fields = handle.readline().rstrip("\r\n").split("\t")
    except OSError:
        return False
    names = {header_name, "id", "_id", "text", "qid", "query", "pid", "passage"}
    return len(fields) == 2 and not names & {field.strip() for field in fields}


def read_pairs(path: Path) -> Iterator[tuple[str, str]]:
    """(id, text) of every line of an ``id<TAB>text`` file; any other line is a one-line error naming it."""
    for number, line in enumerate(decoded_lines(path), start=1):
        line = line.rstrip("\n").rstrip("\r")
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 2 or not fields[0].strip():
            raise UserError(
                f"{path}: line {number}: expected 'id<TAB>text' (MS MARCO / TREC), found {len(fields)} fields"
            )
        yield fields[0].strip(), fields[1]


def read_trec_qrels(path: Path, flag: str = "--qrels") -> dict[str, dict[str, int]]:
    """query id -> {passage id: grade} of a TREC qrels file (``qid 0 pid grade`` per line, blank-separated), or of
    a BEIR qrels TSV (with its header)."""
    path = check_exists(path, flag)
    text = read_text(path)
    first = text.split("\n", 1)[0].split("\t")
    if set(QRELS_HEADER) <= {field.strip() for field in first}:
        return read_qrels(path)
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 4:
            raise UserError(f"{path}: line {number}: expected 'query-id 0 passage-id grade' (TREC qrels)")
        try:
            grade = int(fields[3])
        except ValueError as error:
            raise UserError(f"{path}: line {number}: the grade must be an integer, found {fields[3]!r}") from error
        qrels.setdefault(fields[0], {})[fields[2]] = grade
    if not qrels:
        raise UserError(f"{path}: no judgements")
    return qrels


def with_qrels(queries: QAData, path: Path) -> QAData:
    """The queries judged in the qrels file at ``path``, each with its graded passages (gold: graded 1 or more,
    named by corpus id); queries the file does not judge are left out, with a warning."""
    qrels = read_trec_qrels(path)
    judged = judged_questions(((question.id, question.text) for question in queries.questions), qrels, path)
    if not judged:
        raise UserError(f"{path}: no query id matches one of the queries (first judged: '{next(iter(qrels))}')")
    return QAData(judged, Corpus())


def load_judged_qa(queries: str, corpus: Corpus, corpus_name: str, qrels: str, flags: tuple[str, str]) -> QAData:
    """Training questions from MS MARCO / TREC files: the queries in ``queries`` that the qrels file ``qrels``
    judges, each with its passages of ``corpus`` (named by id, read from ``corpus_name``) graded 1 or more as
    positives. ``flags``: the flags that named the queries and the qrels, for messages."""
    queries_flag, qrels_flag = flags
    judgements = judged_in_corpus(read_trec_qrels(Path(qrels), qrels_flag), corpus, Path(qrels), corpus_name)
    asked = load_queries(queries, flag=queries_flag).questions
    questions = judged_questions(((question.id, question.text) for question in asked), judgements, Path(qrels))
    if not questions:
        first = next(iter(judgements))
        raise UserError(f"{qrels}: no judged query id is a query id of {queries} (first judged: '{first}')")
    return QAData(questions, corpus)
