package io.ctta.runtime.model.torchscript;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The contents of a TorchScript file ({@code torch.jit.save}): its module tree read from the
 * archive's {@code data.pkl} (every submodule's path, class, training flag, tensors) and the
 * TorchScript source of its classes.
 *
 * <p>Why: the PyTorch engine's Java API exposes a loaded module's parameters and method names
 * only. What a strategy must know about a user's model (which modules are BatchNorm, which
 * tensors are running statistics) is in the archive, so we read it from there, from the module's
 * structure rather than from naming conventions.
 *
 * <p>{@link #instrument} writes a copy of the archive whose root class has two more methods
 * ({@value #BUFFERS_METHOD} returns the live buffer tensors, {@value #SET_TRAINING_METHOD} sets
 * the training flag of chosen submodules), which is how the runtime reads and restores running
 * statistics and runs BatchNorm in train mode while dropout stays off. Nothing else in the archive
 * changes; the user's file is never modified.
 */
public final class TorchScriptArchive {

    /** The method the instrumented copy adds: the buffers of {@link #buffers()}, in that order. */
    public static final String BUFFERS_METHOD = "ctta_buffers_v1";

    /** The method the instrumented copy adds: sets {@code training} of each module of a list. */
    public static final String SET_TRAINING_METHOD = "ctta_set_training_v1";

    private static final String REBUILD_TENSOR = "torch._utils._rebuild_tensor_v2";
    private static final Pattern MANGLE = Pattern.compile("\\.___torch_mangle_\\d+");
    private static final Pattern SELF_TYPE = Pattern.compile("def \\w+\\(self: ([\\w.]+)");

    /**
     * A tensor attribute of a module.
     *
     * @param name attribute name ({@code weight}, {@code running_mean})
     * @param shape its dimensions
     * @param dtype the storage type, e.g. {@code FloatStorage}, {@code LongStorage}
     */
    public record TensorInfo(String name, long[] shape, String dtype) {}

    /**
     * One module of the tree.
     *
     * @param path its dotted path from the root ({@code ""} for the root, {@code encoder.1})
     * @param qualifiedClass the TorchScript class, e.g. {@code __torch__.torch.nn.modules.batchnorm.BatchNorm2d}
     * @param training the training flag stored in the file
     * @param tensors its own tensor attributes, in file order (parameters and buffers)
     * @param buffers the names its class declares as buffers ({@code __buffers__} in its source)
     * @param constants the class's {@code Final} constants as written in its source, e.g.
     *     {@code momentum -> 0.10000000000000001} or {@code None}, {@code eps -> 1.0000000000000001e-05}
     * @param children its direct submodules, in file order
     */
    public record Module(String path, String qualifiedClass, boolean training, List<TensorInfo> tensors,
            List<String> buffers, Map<String, String> constants, List<Module> children) {

        /**
         * The class name without package and without TorchScript's {@code ___torch_mangle_N}
         * qualifier, e.g. {@code BatchNorm2d}.
         */
        public String typeName() {
            String c = MANGLE.matcher(qualifiedClass).replaceAll("");
            return c.substring(c.lastIndexOf('.') + 1);
        }

        /** Whether this is a class of {@code torch.nn} (rather than the user's own). */
        public boolean isTorchNn() {
            return MANGLE.matcher(qualifiedClass).replaceAll("").startsWith("__torch__.torch.nn.");
        }

        /** The full name of an attribute of this module, as parameter names are written. */
        public String qualify(String attribute) {
            return path.isEmpty() ? attribute : path + "." + attribute;
        }
    }

    private final Path file;
    private final String prefix;
    private final Module root;
    private final List<Module> modules;

    private TorchScriptArchive(Path file, String prefix, Module root) {
        this.file = file;
        this.prefix = prefix;
        this.root = root;
        List<Module> all = new ArrayList<>();
        collect(root, all);
        this.modules = Collections.unmodifiableList(all);
    }

    /**
     * Reads the module tree of a TorchScript file.
     *
     * @throws IOException when the file is not a readable zip archive with a {@code data.pkl}
     *     holding a TorchScript module (the message says what was found instead)
     */
    public static TorchScriptArchive read(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = prefixOf(zip, file);
            ZipEntry data = zip.getEntry(prefix + "data.pkl");
            if (data == null) {
                throw new IOException(file + " has no " + prefix + "data.pkl: it is not a TorchScript file (torch.jit.save"
                        + " writes one; a state dict saved with torch.save is not a model)");
            }
            Object value;
            try (InputStream in = zip.getInputStream(data)) {
                value = Pickle.load(in.readAllBytes());
            }
            if (!(value instanceof Pickle.Instance top) || !(top.state() instanceof Map)) {
                throw new IOException(file + ": data.pkl does not hold a TorchScript module (found " + value + ")");
            }
            return new TorchScriptArchive(file, prefix, module("", top, new Sources(zip, prefix)));
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + " is not a TorchScript archive (not a zip file: " + e.getMessage() + ")", e);
        } catch (ClassCastException | NullPointerException | IndexOutOfBoundsException e) {
            // A module tree of unexpected shape (a hand-made or damaged data.pkl), not a bug to surface raw.
            throw new IOException(file + ": data.pkl does not hold a module tree as torch.jit.save writes it (" + e + ")", e);
        }
    }

    private static String prefixOf(ZipFile zip, Path file) throws IOException {
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                return name.substring(0, name.length() - "data.pkl".length());
            }
        }
        throw new IOException(file + " holds no <archive>/data.pkl: it is not a TorchScript file");
    }

    private static Module module(String path, Pickle.Instance obj, Sources sources) throws IOException {
        @SuppressWarnings("unchecked")
        Map<Object, Object> state = (Map<Object, Object>) obj.state();
        boolean training = Boolean.TRUE.equals(state.get("training"));
        List<TensorInfo> tensors = new ArrayList<>();
        List<Module> children = new ArrayList<>();
        for (Map.Entry<Object, Object> e : state.entrySet()) {
            String name = String.valueOf(e.getKey());
            Object v = e.getValue();
            if (v instanceof Pickle.Instance child && isModule(child)) {
                children.add(module(path.isEmpty() ? name : path + "." + name, child, sources));
            } else if (v instanceof Pickle.Call call && call.function().equals(REBUILD_TENSOR)) {
                tensors.add(tensorInfo(name, call));
            }
        }
        List<String> declared = sources.buffersOf(obj.type().qualified());
        List<String> buffers = new ArrayList<>();
        for (TensorInfo t : tensors) {
            if (declared.contains(t.name())) {
                buffers.add(t.name());
            }
        }
        return new Module(path, obj.type().qualified(), training, List.copyOf(tensors), List.copyOf(buffers),
                sources.constantsOf(obj.type().qualified()), List.copyOf(children));
    }

    /** The TorchScript sources of an archive's classes, read on demand. */
    private static final class Sources {
        private static final Pattern BUFFERS = Pattern.compile("__buffers__ = \\[([^\\]]*)\\]");
        private final ZipFile zip;
        private final String prefix;
        private static final Pattern CONSTANT = Pattern.compile("^\\s+(\\w+) : Final\\[[^\\]]*\\] = (.+)$");
        private final Map<String, List<String>> buffers = new java.util.HashMap<>();
        private final Map<String, Map<String, String>> constants = new java.util.HashMap<>();

        Sources(ZipFile zip, String prefix) {
            this.zip = zip;
            this.prefix = prefix;
        }

        /** The {@code Final} constants {@code class qualified} declares, by name, as written. */
        Map<String, String> constantsOf(String qualified) throws IOException {
            Map<String, String> known = constants.get(qualified);
            if (known != null) {
                return known;
            }
            int dot = qualified.lastIndexOf('.');
            String body = classBody(read(zip, prefix + "code/" + qualified.substring(0, dot).replace('.', '/') + ".py"),
                    qualified.substring(dot + 1));
            Map<String, String> out = new LinkedHashMap<>();
            if (body != null) {
                for (String line : body.split("\n")) {
                    Matcher m = CONSTANT.matcher(line);
                    if (m.matches()) {
                        out.put(m.group(1), m.group(2).trim());
                    }
                }
            }
            constants.put(qualified, java.util.Collections.unmodifiableMap(out));
            return constants.get(qualified);
        }

        /** The attribute names {@code class qualified} declares as buffers. */
        List<String> buffersOf(String qualified) throws IOException {
            List<String> known = buffers.get(qualified);
            if (known != null) {
                return known;
            }
            int dot = qualified.lastIndexOf('.');
            String body = classBody(read(zip, prefix + "code/" + qualified.substring(0, dot).replace('.', '/') + ".py"),
                    qualified.substring(dot + 1));
            List<String> names = new ArrayList<>();
            Matcher m = body == null ? null : BUFFERS.matcher(body);
            if (m != null && m.find()) {
                for (String item : m.group(1).split(",")) {
                    String name = item.trim();
                    if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
                        names.add(name.substring(1, name.length() - 1));
                    }
                }
            }
            buffers.put(qualified, List.copyOf(names));
            return buffers.get(qualified);
        }
    }

    private static String read(ZipFile zip, String entry) throws IOException {
        ZipEntry e = zip.getEntry(entry);
        if (e == null) {
            return null;
        }
        try (InputStream in = zip.getInputStream(e)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The lines of {@code class name(...)}: its header line and its indented body; null when absent. */
    private static String classBody(String source, String name) {
        if (source == null) {
            return null;
        }
        String[] lines = source.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("class " + name + "(")) {
                int end = i + 1;
                while (end < lines.length && (lines[end].isEmpty() || Character.isWhitespace(lines[end].charAt(0)))) {
                    end++;
                }
                return String.join("\n", java.util.Arrays.asList(lines).subList(i, end));
            }
        }
        return null;
    }

    private static boolean isModule(Pickle.Instance i) {
        return i.type().module().startsWith("__torch__") && i.state() instanceof Map<?, ?> m && m.containsKey("training");
    }

    private static TensorInfo tensorInfo(String name, Pickle.Call call) {
        // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks)
        List<Object> args = call.args();
        String dtype = "?";
        if (!args.isEmpty() && args.get(0) instanceof Pickle.PersistentId pid && pid.id() instanceof Pickle.Tuple t
                && t.items().size() > 1 && t.items().get(1) instanceof Pickle.Global g) {
            dtype = g.name();
        }
        long[] shape = new long[0];
        if (args.size() > 2 && args.get(2) instanceof Pickle.Tuple size) {
            shape = new long[size.items().size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = ((Number) size.items().get(i)).longValue();
            }
        }
        return new TensorInfo(name, shape, dtype);
    }

    private static void collect(Module m, List<Module> out) {
        out.add(m);
        for (Module c : m.children()) {
            collect(c, out);
        }
    }

    /** The file read. */
    public Path file() {
        return file;
    }

    /** The root module. */
    public Module root() {
        return root;
    }

    /** Every module, root first, depth first in file order. */
    public List<Module> modules() {
        return modules;
    }

    /** The module at {@code path}, or null. */
    public Module module(String path) {
        for (Module m : modules) {
            if (m.path().equals(path)) {
                return m;
            }
        }
        return null;
    }

    /**
     * The buffers of the model by full name ({@code encoder.1.running_mean}), in module order: the
     * tensor attributes each module's class declares as buffers.
     */
    public List<String> buffers() {
        List<String> out = new ArrayList<>();
        for (Module m : modules) {
            for (String b : m.buffers()) {
                out.add(m.qualify(b));
            }
        }
        return out;
    }

    /**
     * Writes a copy of the archive to {@code target} whose root class also has
     * {@value #BUFFERS_METHOD} (returning the tensors named by {@code bufferNames}, in order, as a
     * list that aliases the module's own buffers) and {@value #SET_TRAINING_METHOD} (setting the
     * {@code training} flag of the modules at {@code modulePaths} from a list of booleans).
     *
     * @throws IOException when the archive cannot be read or written, or the root class's source
     *     is not where TorchScript puts it
     */
    public void instrument(Path target, List<String> bufferNames, List<String> modulePaths) throws IOException {
        String qualified = root.qualifiedClass();
        int dot = qualified.lastIndexOf('.');
        String codeFile = prefix + "code/" + qualified.substring(0, dot).replace('.', '/') + ".py";
        String className = qualified.substring(dot + 1);
        try (ZipFile zip = new ZipFile(file.toFile());
                OutputStream os = Files.newOutputStream(target);
                ZipOutputStream out = new ZipOutputStream(os)) {
            ZipEntry code = zip.getEntry(codeFile);
            if (code == null) {
                throw new IOException(file + ": the source of the root class " + qualified + " is not at " + codeFile);
            }
            String source;
            try (InputStream in = zip.getInputStream(code)) {
                source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String patched = withMethods(source, className, bufferNames, modulePaths);
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.getName().equals(codeFile + ".debug_pkl")) {
                    continue; // source ranges of the old text; TorchScript loads fine without them
                }
                byte[] bytes;
                if (e.getName().equals(codeFile)) {
                    bytes = patched.getBytes(StandardCharsets.UTF_8);
                } else {
                    try (InputStream in = zip.getInputStream(e)) {
                        bytes = in.readAllBytes();
                    }
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setMethod(ZipEntry.STORED);
                copy.setSize(bytes.length);
                copy.setCompressedSize(bytes.length);
                CRC32 crc = new CRC32();
                crc.update(bytes);
                copy.setCrc(crc.getValue());
                out.putNextEntry(copy);
                out.write(bytes);
                out.closeEntry();
            }
        }
    }

    /** The class source with the two accessor methods appended to {@code className}'s body. */
    static String withMethods(String source, String className, List<String> bufferNames, List<String> modulePaths)
            throws IOException {
        List<String> lines = new ArrayList<>(List.of(source.split("\n", -1)));
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("class " + className + "(")) {
                start = i;
                break;
            }
        }
        if (start < 0) {
            throw new IOException("class " + className + " not found in its TorchScript source");
        }
        int end = start + 1;
        while (end < lines.size() && (lines.get(end).isEmpty() || Character.isWhitespace(lines.get(end).charAt(0)))) {
            end++;
        }
        while (end > start + 1 && lines.get(end - 1).isBlank()) {
            end--;
        }
        String body = String.join("\n", lines.subList(start, end));
        Matcher self = SELF_TYPE.matcher(body);
        if (!self.find()) {
            throw new IOException("class " + className + " has no method with a typed self in its TorchScript source");
        }
        String selfType = self.group(1);
        String indent = indentOf(lines.get(start + 1));
        String inner = indent + indent;
        StringBuilder m = new StringBuilder();
        m.append(indent).append("def ").append(BUFFERS_METHOD).append("(self: ").append(selfType)
                .append(") -> List[Tensor]:\n");
        m.append(inner).append("_ctta_out = annotate(List[Tensor], [])\n");
        for (String b : bufferNames) {
            m.append(inner).append("_ctta_out.append(").append(access(b)).append(")\n");
        }
        m.append(inner).append("return _ctta_out\n");
        m.append(indent).append("def ").append(SET_TRAINING_METHOD).append("(self: ").append(selfType)
                .append(", flags: List[bool]) -> None:\n");
        for (int i = 0; i < modulePaths.size(); i++) {
            String target = modulePaths.get(i).isEmpty() ? "self" : access(modulePaths.get(i));
            m.append(inner).append("_ctta_m").append(i).append(" = ").append(target).append("\n");
            m.append(inner).append("_ctta_m").append(i).append(".training = flags[").append(i).append("]\n");
        }
        m.append(inner).append("return None");
        lines.add(end, m.toString());
        return String.join("\n", lines);
    }

    /** {@code getattr(getattr(self, "a"), "0")} for the path {@code a.0}. */
    private static String access(String path) {
        String expr = "self";
        for (String part : path.split("\\.")) {
            expr = "getattr(" + expr + ", \"" + part.replace("\\", "\\\\").replace("\"", "\\\"") + "\")";
        }
        return expr;
    }

    private static String indentOf(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == ' ') {
            n++;
        }
        return " ".repeat(Math.max(n, 2));
    }
}
