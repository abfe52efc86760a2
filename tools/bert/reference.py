"""Reference BERT for sensescape: a faithful PyTorch re-implementation of Hugging Face's
`BertForSequenceClassification` (eval mode) and `BertTokenizer` (BasicTokenizer + WordpieceTokenizer),
written because `transformers` is not installed here. It follows transformers' modeling_bert.py and
tokenization_bert.py line by line (names kept), so that its logits are the ones HF would give.

Also the *landscape reference helper* other tools import:

    from reference import load_checkpoint_dir, evaluate_params
    model, tok, cfg = load_checkpoint_dir('path/to/ckpt')
    loss, acc, logits = evaluate_params(model, params, batches)

Checkpoint folders are read with our own safetensors reader (the `safetensors` package is not
installed either) or `torch.load` for `pytorch_model.bin`. Runs on /usr/bin/python3 (Debian torch).
"""
from __future__ import annotations

import collections
import json
import math
import os
import struct
import unicodedata

import torch
from torch import nn

# ----------------------------------------------------------------------------------------------
# Config
# ----------------------------------------------------------------------------------------------

CONFIG_DEFAULTS = dict(
    vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
    intermediate_size=3072, hidden_act='gelu', hidden_dropout_prob=0.1,
    attention_probs_dropout_prob=0.1, max_position_embeddings=512, type_vocab_size=2,
    initializer_range=0.02, layer_norm_eps=1e-12, pad_token_id=0,
    position_embedding_type='absolute', classifier_dropout=None,
)


class BertConfig:
    def __init__(self, **kw):
        raw = dict(CONFIG_DEFAULTS)
        raw.update(kw)
        for k, v in raw.items():
            setattr(self, k, v)
        if 'id2label' in kw and kw['id2label'] is not None:
            self.id2label = {int(k): v for k, v in kw['id2label'].items()}
            self.num_labels = len(self.id2label)
        else:
            self.num_labels = kw.get('num_labels', 2)
            self.id2label = {i: f'LABEL_{i}' for i in range(self.num_labels)}
        self.label2id = kw.get('label2id') or {v: k for k, v in self.id2label.items()}
        self.problem_type = kw.get('problem_type')
        self.raw = raw

    def to_json(self):
        out = {k: v for k, v in self.raw.items() if k not in ('id2label', 'label2id', 'num_labels')}
        out['model_type'] = 'bert'
        out['architectures'] = ['BertForSequenceClassification']
        out['id2label'] = {str(k): v for k, v in self.id2label.items()}
        out['label2id'] = dict(self.label2id)
        if self.problem_type:
            out['problem_type'] = self.problem_type
        return out


# ----------------------------------------------------------------------------------------------
# Model (transformers/models/bert/modeling_bert.py, eager attention)
# ----------------------------------------------------------------------------------------------

def gelu_erf(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


ACT2FN = {'gelu': gelu_erf, 'gelu_new': gelu_new, 'relu': torch.relu}


class BertEmbeddings(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position_embeddings, config.hidden_size)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.register_buffer('position_ids', torch.arange(config.max_position_embeddings).expand((1, -1)), persistent=True)

    def forward(self, input_ids, token_type_ids):
        seq_length = input_ids.shape[1]
        position_ids = self.position_ids[:, :seq_length]
        embeddings = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        embeddings = embeddings + self.position_embeddings(position_ids)
        embeddings = self.LayerNorm(embeddings)
        return self.dropout(embeddings)


class BertSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.num_attention_heads = config.num_attention_heads
        self.attention_head_size = config.hidden_size // config.num_attention_heads
        self.all_head_size = self.num_attention_heads * self.attention_head_size
        self.query = nn.Linear(config.hidden_size, self.all_head_size)
        self.key = nn.Linear(config.hidden_size, self.all_head_size)
        self.value = nn.Linear(config.hidden_size, self.all_head_size)
        self.dropout = nn.Dropout(config.attention_probs_dropout_prob)

    def transpose_for_scores(self, x):
        new_x_shape = x.size()[:-1] + (self.num_attention_heads, self.attention_head_size)
        return x.view(new_x_shape).permute(0, 2, 1, 3)

    def forward(self, hidden_states, attention_mask):
        query_layer = self.transpose_for_scores(self.query(hidden_states))
        key_layer = self.transpose_for_scores(self.key(hidden_states))
        value_layer = self.transpose_for_scores(self.value(hidden_states))
        attention_scores = torch.matmul(query_layer, key_layer.transpose(-1, -2))
        attention_scores = attention_scores / math.sqrt(self.attention_head_size)
        attention_scores = attention_scores + attention_mask
        attention_probs = nn.functional.softmax(attention_scores, dim=-1)
        attention_probs = self.dropout(attention_probs)
        context_layer = torch.matmul(attention_probs, value_layer)
        context_layer = context_layer.permute(0, 2, 1, 3).contiguous()
        return context_layer.view(context_layer.size()[:-2] + (self.all_head_size,))


class BertSelfOutput(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        hidden_states = self.dropout(self.dense(hidden_states))
        return self.LayerNorm(hidden_states + input_tensor)


class BertAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.self = BertSelfAttention(config)
        self.output = BertSelfOutput(config)

    def forward(self, hidden_states, attention_mask):
        return self.output(self.self(hidden_states, attention_mask), hidden_states)


class BertIntermediate(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)
        self.intermediate_act_fn = ACT2FN[config.hidden_act]

    def forward(self, hidden_states):
        return self.intermediate_act_fn(self.dense(hidden_states))


class BertOutput(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.intermediate_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        hidden_states = self.dropout(self.dense(hidden_states))
        return self.LayerNorm(hidden_states + input_tensor)


class BertLayer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attention = BertAttention(config)
        self.intermediate = BertIntermediate(config)
        self.output = BertOutput(config)

    def forward(self, hidden_states, attention_mask):
        attention_output = self.attention(hidden_states, attention_mask)
        return self.output(self.intermediate(attention_output), attention_output)


class BertEncoder(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(config) for _ in range(config.num_hidden_layers)])

    def forward(self, hidden_states, attention_mask):
        for layer_module in self.layer:
            hidden_states = layer_module(hidden_states, attention_mask)
        return hidden_states


class BertPooler(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.activation = nn.Tanh()

    def forward(self, hidden_states):
        return self.activation(self.dense(hidden_states[:, 0]))


class BertModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embeddings = BertEmbeddings(config)
        self.encoder = BertEncoder(config)
        self.pooler = BertPooler(config)

    def forward(self, input_ids, attention_mask, token_type_ids):
        dtype = self.embeddings.word_embeddings.weight.dtype
        # get_extended_attention_mask: (1 - mask) * finfo(dtype).min, broadcast to [B, 1, 1, L]
        extended = attention_mask[:, None, None, :].to(dtype)
        extended = (1.0 - extended) * torch.finfo(dtype).min
        embedding_output = self.embeddings(input_ids, token_type_ids)
        return self.pooler(self.encoder(embedding_output, extended))


class BertForSequenceClassification(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.num_labels = config.num_labels
        self.config = config
        self.bert = BertModel(config)
        drop = config.classifier_dropout if config.classifier_dropout is not None else config.hidden_dropout_prob
        self.dropout = nn.Dropout(drop)
        self.classifier = nn.Linear(config.hidden_size, config.num_labels)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        std = self.config.initializer_range
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=std)
            module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=std)
            if module.padding_idx is not None:
                module.weight.data[module.padding_idx].zero_()
        elif isinstance(module, nn.LayerNorm):
            module.bias.data.zero_()
            module.weight.data.fill_(1.0)

    def forward(self, input_ids, attention_mask, token_type_ids, labels=None):
        pooled_output = self.dropout(self.bert(input_ids, attention_mask, token_type_ids))
        logits = self.classifier(pooled_output)
        loss = None
        if labels is not None:
            loss = self.compute_loss(logits, labels)
        return loss, logits

    def compute_loss(self, logits, labels):
        problem_type = self.config.problem_type
        if problem_type is None:
            if self.num_labels == 1:
                problem_type = 'regression'
            elif labels.dtype in (torch.long, torch.int):
                problem_type = 'single_label_classification'
            else:
                problem_type = 'multi_label_classification'
        if problem_type == 'regression':
            return nn.functional.mse_loss(logits.squeeze(), labels.squeeze()) if self.num_labels == 1 else nn.functional.mse_loss(logits, labels)
        if problem_type == 'single_label_classification':
            return nn.functional.cross_entropy(logits.view(-1, self.num_labels), labels.view(-1))
        raise ValueError(f'unsupported problem_type {problem_type}')


# ----------------------------------------------------------------------------------------------
# Tokenizer (transformers/models/bert/tokenization_bert.py)
# ----------------------------------------------------------------------------------------------

def load_vocab(vocab_file):
    vocab = collections.OrderedDict()
    with open(vocab_file, 'r', encoding='utf-8') as reader:
        tokens = reader.readlines()
    for index, token in enumerate(tokens):
        vocab[token.rstrip('\n')] = index
    return vocab


def whitespace_tokenize(text):
    text = text.strip()
    return text.split() if text else []


def _is_whitespace(char):
    if char in (' ', '\t', '\n', '\r'):
        return True
    return unicodedata.category(char) == 'Zs'


def _is_control(char):
    if char in ('\t', '\n', '\r'):
        return False
    return unicodedata.category(char).startswith('C')


def _is_punctuation(char):
    cp = ord(char)
    if (33 <= cp <= 47) or (58 <= cp <= 64) or (91 <= cp <= 96) or (123 <= cp <= 126):
        return True
    return unicodedata.category(char).startswith('P')


class BasicTokenizer:
    def __init__(self, do_lower_case=True, never_split=None, tokenize_chinese_chars=True, strip_accents=None, do_split_on_punc=True):
        self.do_lower_case = do_lower_case
        self.never_split = set(never_split or [])
        self.tokenize_chinese_chars = tokenize_chinese_chars
        self.strip_accents = strip_accents
        self.do_split_on_punc = do_split_on_punc

    def tokenize(self, text, never_split=None):
        never_split = self.never_split.union(set(never_split)) if never_split else self.never_split
        text = self._clean_text(text)
        if self.tokenize_chinese_chars:
            text = self._tokenize_chinese_chars(text)
        unicode_normalized_text = unicodedata.normalize('NFC', text)
        orig_tokens = whitespace_tokenize(unicode_normalized_text)
        split_tokens = []
        for token in orig_tokens:
            if token not in never_split:
                if self.do_lower_case:
                    token = token.lower()
                    if self.strip_accents is not False:
                        token = self._run_strip_accents(token)
                elif self.strip_accents:
                    token = self._run_strip_accents(token)
            split_tokens.extend(self._run_split_on_punc(token, never_split))
        return whitespace_tokenize(' '.join(split_tokens))

    def _run_strip_accents(self, text):
        text = unicodedata.normalize('NFD', text)
        return ''.join(c for c in text if unicodedata.category(c) != 'Mn')

    def _run_split_on_punc(self, text, never_split=None):
        if not self.do_split_on_punc or (never_split is not None and text in never_split):
            return [text]
        chars = list(text)
        i = 0
        start_new_word = True
        output = []
        while i < len(chars):
            char = chars[i]
            if _is_punctuation(char):
                output.append([char])
                start_new_word = True
            else:
                if start_new_word:
                    output.append([])
                start_new_word = False
                output[-1].append(char)
            i += 1
        return [''.join(x) for x in output]

    def _tokenize_chinese_chars(self, text):
        output = []
        for char in text:
            cp = ord(char)
            if self._is_chinese_char(cp):
                output.extend([' ', char, ' '])
            else:
                output.append(char)
        return ''.join(output)

    def _is_chinese_char(self, cp):
        return ((0x4E00 <= cp <= 0x9FFF) or (0x3400 <= cp <= 0x4DBF) or (0x20000 <= cp <= 0x2A6DF)
                or (0x2A700 <= cp <= 0x2B73F) or (0x2B740 <= cp <= 0x2B81F) or (0x2B820 <= cp <= 0x2CEAF)
                or (0xF900 <= cp <= 0xFAFF) or (0x2F800 <= cp <= 0x2FA1F))

    def _clean_text(self, text):
        output = []
        for char in text:
            cp = ord(char)
            if cp == 0 or cp == 0xFFFD or _is_control(char):
                continue
            output.append(' ' if _is_whitespace(char) else char)
        return ''.join(output)


class WordpieceTokenizer:
    def __init__(self, vocab, unk_token, max_input_chars_per_word=100):
        self.vocab = vocab
        self.unk_token = unk_token
        self.max_input_chars_per_word = max_input_chars_per_word

    def tokenize(self, text):
        output_tokens = []
        for token in whitespace_tokenize(text):
            chars = list(token)
            if len(chars) > self.max_input_chars_per_word:
                output_tokens.append(self.unk_token)
                continue
            is_bad = False
            start = 0
            sub_tokens = []
            while start < len(chars):
                end = len(chars)
                cur_substr = None
                while start < end:
                    substr = ''.join(chars[start:end])
                    if start > 0:
                        substr = '##' + substr
                    if substr in self.vocab:
                        cur_substr = substr
                        break
                    end -= 1
                if cur_substr is None:
                    is_bad = True
                    break
                sub_tokens.append(cur_substr)
                start = end
            if is_bad:
                output_tokens.append(self.unk_token)
            else:
                output_tokens.extend(sub_tokens)
        return output_tokens


SPECIAL_TOKENS = ['[UNK]', '[SEP]', '[PAD]', '[CLS]', '[MASK]']


class BertTokenizer:
    """The slow HF BertTokenizer: special tokens in the text are kept whole (the added-tokens trie),
    the rest goes through BasicTokenizer then WordPiece."""

    def __init__(self, vocab_file, do_lower_case=True, tokenize_chinese_chars=True, strip_accents=None):
        self.vocab = load_vocab(vocab_file)
        self.ids_to_tokens = {i: t for t, i in self.vocab.items()}
        self.basic_tokenizer = BasicTokenizer(do_lower_case=do_lower_case, never_split=None,
                                              tokenize_chinese_chars=tokenize_chinese_chars, strip_accents=strip_accents)
        self.wordpiece_tokenizer = WordpieceTokenizer(vocab=self.vocab, unk_token='[UNK]')

    def _split_special(self, text):
        # PreTrainedTokenizer.tokenize: split on special tokens, strip the whitespace around them
        # (BERT's special tokens are AddedToken(lstrip=False, rstrip=False) but the slow tokenizer
        # strips left/right whitespace of the neighbouring pieces for tokens in `all_special_tokens`).
        pieces = [text]
        for special in SPECIAL_TOKENS:
            out = []
            for p in pieces:
                if p in SPECIAL_TOKENS:
                    out.append(p)
                    continue
                parts = p.split(special)
                for i, part in enumerate(parts):
                    if i > 0:
                        out.append(special)
                    out.append(part)
            pieces = out
        return [p for p in pieces if p != '']

    def tokenize(self, text):
        tokens = []
        for piece in self._split_special(text):
            if piece in SPECIAL_TOKENS:
                tokens.append(piece)
            else:
                for token in self.basic_tokenizer.tokenize(piece, never_split=SPECIAL_TOKENS):
                    tokens.extend(self.wordpiece_tokenizer.tokenize(token))
        return tokens

    def convert_tokens_to_ids(self, tokens):
        return [self.vocab.get(t, self.vocab['[UNK]']) for t in tokens]

    def encode_pair(self, text_a, text_b=None, max_length=128):
        """`tokenizer(text_a, text_b, truncation=True, max_length=L)` with longest_first."""
        ids = self.convert_tokens_to_ids(self.tokenize(text_a))
        pair_ids = self.convert_tokens_to_ids(self.tokenize(text_b)) if text_b is not None else None
        num_special = 3 if pair_ids is not None else 2
        total = len(ids) + (len(pair_ids) if pair_ids is not None else 0) + num_special
        to_remove = max(0, total - max_length)
        for _ in range(to_remove):
            if pair_ids is None or len(ids) > len(pair_ids):
                ids = ids[:-1]
            else:
                pair_ids = pair_ids[:-1]
        cls, sep = self.vocab['[CLS]'], self.vocab['[SEP]']
        input_ids = [cls] + ids + [sep]
        token_type_ids = [0] * len(input_ids)
        if pair_ids is not None:
            input_ids += pair_ids + [sep]
            token_type_ids += [1] * (len(pair_ids) + 1)
        return input_ids, token_type_ids


# ----------------------------------------------------------------------------------------------
# GLUE-ish TSV reading (the subset the fixtures use; the TS reader is the full one)
# ----------------------------------------------------------------------------------------------

GLUE_LABEL_NAMES = {'entailment': 0, 'not_entailment': 1, 'neutral': 1, 'contradiction': 2}


def read_tsv_examples(path, label2id=None, regression=False):
    with open(path, encoding='utf-8') as f:
        lines = [l for l in f.read().split('\n')]
    if lines and lines[-1] == '':
        lines.pop()
    lines = [l.rstrip('\r') for l in lines]
    header = lines[0].lstrip('\ufeff').split('\t')
    cols = {name: i for i, name in enumerate(header)}
    if 'sentence' in cols:
        a, b = cols['sentence'], None
    else:
        a, b = cols['sentence1'], cols['sentence2']
    lab = cols.get('label', cols.get('score'))
    out = []
    for line in lines[1:]:
        f = line.split('\t')
        raw = f[lab]
        if regression:
            y = float(raw)
        elif label2id and raw in label2id:
            y = int(label2id[raw])
        elif raw in GLUE_LABEL_NAMES:
            y = GLUE_LABEL_NAMES[raw]
        else:
            y = int(raw)
        out.append((f[a], f[b] if b is not None else None, y))
    return out


def encode_batches(tok, examples, max_length=128, batch_size=32):
    """Pads each batch to its longest sequence, as the TS engine does."""
    batches = []
    for s in range(0, len(examples), batch_size):
        chunk = examples[s:s + batch_size]
        enc = [tok.encode_pair(a, b, max_length) for a, b, _ in chunk]
        L = max(len(ids) for ids, _ in enc)
        ids = torch.zeros((len(chunk), L), dtype=torch.long)
        tt = torch.zeros_like(ids)
        mask = torch.zeros_like(ids)
        for i, (x, t) in enumerate(enc):
            ids[i, :len(x)] = torch.tensor(x)
            tt[i, :len(t)] = torch.tensor(t)
            mask[i, :len(x)] = 1
        labels = [y for _, _, y in chunk]
        batches.append((ids, mask, tt, labels))
    return batches


# ----------------------------------------------------------------------------------------------
# Checkpoint folders (safetensors / sharded / pytorch_model.bin) and the landscape helper
# ----------------------------------------------------------------------------------------------

_ST_DTYPES = {'F32': (torch.float32, 4), 'F16': (torch.float16, 2), 'BF16': (torch.bfloat16, 2),
              'F64': (torch.float64, 8), 'I64': (torch.int64, 8), 'I32': (torch.int32, 4)}
_ST_NAMES = {v[0]: k for k, v in _ST_DTYPES.items()}


def read_safetensors(path):
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    out = collections.OrderedDict()
    base = 8 + n
    for name, info in header.items():
        if name == '__metadata__':
            continue
        dtype, size = _ST_DTYPES[info['dtype']]
        b, e = info['data_offsets']
        buf = bytearray(data[base + b:base + e])
        t = torch.frombuffer(buf, dtype=dtype) if e > b else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info['shape']).clone()
    return out


def write_safetensors(path, tensors, metadata=None):
    header = {}
    offset = 0
    blobs = []
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype in (torch.bfloat16, torch.float16) else t.numpy().tobytes()
        header[name] = {'dtype': _ST_NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    if metadata:
        header['__metadata__'] = metadata
    hb = json.dumps(header, separators=(',', ':')).encode('utf-8')
    hb += b' ' * ((8 - len(hb) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(hb)))
        f.write(hb)
        for raw in blobs:
            f.write(raw)


def normalise_name(name):
    """Our TS engine's name normalisation, mirrored: returns None for ignored tensors."""
    if name.startswith('bert.'):
        name = name[len('bert.'):]
    if name.startswith('cls.') or name.endswith('position_ids'):
        return None
    name = name.replace('LayerNorm.gamma', 'LayerNorm.weight').replace('LayerNorm.beta', 'LayerNorm.bias')
    return name


def read_checkpoint_tensors(folder):
    """All weight tensors of a checkpoint folder, F32, by normalised name."""
    files = os.listdir(folder)
    raw = collections.OrderedDict()
    if 'model.safetensors' in files:
        raw.update(read_safetensors(os.path.join(folder, 'model.safetensors')))
    elif 'model.safetensors.index.json' in files:
        with open(os.path.join(folder, 'model.safetensors.index.json')) as f:
            index = json.load(f)
        for shard in sorted(set(index['weight_map'].values())):
            raw.update(read_safetensors(os.path.join(folder, shard)))
    elif 'pytorch_model.bin' in files:
        raw.update(torch.load(os.path.join(folder, 'pytorch_model.bin'), map_location='cpu'))
    else:
        raise FileNotFoundError(f'{folder}: no weights')
    out = collections.OrderedDict()
    for k, v in raw.items():
        n = normalise_name(k)
        if n is not None:
            out[n] = v.to(torch.float32)
    return out


def load_checkpoint_dir(folder):
    """(model in eval mode with the folder's weights, tokenizer or None, config)."""
    with open(os.path.join(folder, 'config.json')) as f:
        cfg = BertConfig(**json.load(f))
    model = BertForSequenceClassification(cfg)
    set_params(model, read_checkpoint_tensors(folder))
    model.eval()
    tok = None
    if os.path.exists(os.path.join(folder, 'vocab.txt')):
        lower = True
        tc = os.path.join(folder, 'tokenizer_config.json')
        if os.path.exists(tc):
            with open(tc) as f:
                lower = json.load(f).get('do_lower_case', True)
        tok = BertTokenizer(os.path.join(folder, 'vocab.txt'), do_lower_case=lower)
    return model, tok, cfg


def set_params(model, params):
    """Loads F32 tensors by normalised name (no `bert.` prefix) into the model; strict."""
    state = collections.OrderedDict()
    for k in model.state_dict():
        n = normalise_name(k)
        if n is None:
            continue
        if n not in params:
            raise KeyError(f'missing tensor {n}')
        state[k] = params[n]
    extra = set(params) - {normalise_name(k) for k in model.state_dict()}
    if extra:
        raise KeyError(f'unexpected tensors {sorted(extra)}')
    model.load_state_dict(state, strict=False)


@torch.no_grad()
def evaluate_params(model, params, batches):
    """Mean loss (over all examples), accuracy (NaN for regression) and logits at `params`
    (a dict of normalised name → tensor, or None to keep the model's current weights)."""
    if params is not None:
        set_params(model, params)
    model.eval()
    all_logits = []
    all_labels = []
    for ids, mask, tt, labels in batches:
        _, logits = model(ids, mask, tt)
        all_logits.append(logits)
        all_labels.extend(labels)
    logits = torch.cat(all_logits)
    if model.num_labels == 1:
        y = torch.tensor(all_labels, dtype=torch.float32)
        loss = model.compute_loss(logits, y).item()
        acc = float('nan')
    else:
        y = torch.tensor(all_labels, dtype=torch.long)
        loss = model.compute_loss(logits, y).item()
        acc = (logits.argmax(-1) == y).float().mean().item()
    return loss, acc, logits
