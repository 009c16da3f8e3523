package io.ctta.runtime.model.torchscript;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reader for the Python pickle streams inside a TorchScript archive ({@code data.pkl}).
 *
 * <p>Why our own: the module tree of a TorchScript file (which submodule is a BatchNorm, which
 * tensors are buffers, which modules are in training mode) is only written down in this pickle;
 * the PyTorch engine's Java API lists parameters and method names, nothing else. TorchScript
 * writes protocol 2 with a small set of opcodes (the {@code torch.jit} pickler), so a reader of
 * that subset (plus the protocol 4 framing opcodes) is enough.
 *
 * <p>Safety: nothing is ever executed. A {@code GLOBAL} becomes a {@link Global} name, {@code
 * REDUCE} and {@code NEWOBJ} become {@link Call}/{@link Instance} values holding their arguments,
 * {@code BUILD} stores the state on the instance. The input size bounds everything allocated.
 */
public final class Pickle {

    /** A class or function named by module and name, e.g. {@code torch._utils._rebuild_tensor_v2}. */
    public record Global(String module, String name) {
        /** {@code module.name}. */
        public String qualified() {
            return module + "." + name;
        }
    }

    /** An object created by {@code NEWOBJ} ({@code cls.__new__(cls, *args)}); {@code state} is set by BUILD. */
    public static final class Instance {
        private final Global type;
        private final List<Object> args;
        private Object state;

        Instance(Global type, List<Object> args) {
            this.type = type;
            this.args = args;
        }

        /** The class. */
        public Global type() {
            return type;
        }

        /** The arguments given to {@code __new__}. */
        public List<Object> args() {
            return args;
        }

        /** The state BUILD gave it (a map for TorchScript objects), or null. */
        public Object state() {
            return state;
        }

        @Override
        public String toString() {
            return "Instance[" + type.qualified() + "]";
        }
    }

    /** A call {@code callable(*args)} recorded by REDUCE, never performed. */
    public record Call(Object callable, List<Object> args) {
        /** The qualified name when the callable is a {@link Global}, else empty. */
        public String function() {
            return callable instanceof Global g ? g.qualified() : "";
        }
    }

    /** A tuple. */
    public record Tuple(List<Object> items) {}

    /** A persistent reference ({@code BINPERSID}), e.g. a tensor storage in TorchScript archives. */
    public record PersistentId(Object id) {}

    private static final Object MARK = new Object();

    private final ByteBuffer in;
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final List<Object> values = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private Pickle(byte[] data) {
        this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Reads one pickled value.
     *
     * @throws IOException for a truncated stream or an opcode this reader does not know
     */
    public static Object load(byte[] data) throws IOException {
        try {
            return new Pickle(data).run();
        } catch (java.nio.BufferUnderflowException e) {
            throw new IOException("truncated pickle stream", e);
        } catch (IllegalStateException | ClassCastException | IndexOutOfBoundsException e) {
            throw new IOException("malformed pickle stream: " + e.getMessage(), e);
        }
    }

    private Object run() throws IOException {
        while (true) {
            int op = in.get() & 0xFF;
            switch (op) {
                case 0x80: // PROTO
                    in.get();
                    break;
                case 0x95: // FRAME
                    in.getLong();
                    break;
                case '.': // STOP
                    return pop();
                case '(': // MARK
                    marks.push(values.size());
                    values.add(MARK);
                    break;
                case 'c': // GLOBAL
                    push(new Global(line(), line()));
                    break;
                case 0x93: { // STACK_GLOBAL
                    String name = (String) pop();
                    String module = (String) pop();
                    push(new Global(module, name));
                    break;
                }
                case ')': // EMPTY_TUPLE
                    push(new Tuple(List.of()));
                    break;
                case 't': // TUPLE
                    push(new Tuple(popMark()));
                    break;
                case 0x85: // TUPLE1
                    push(new Tuple(List.of(nullable(pop()))));
                    break;
                case 0x86: { // TUPLE2
                    Object b = pop();
                    Object a = pop();
                    push(tuple(a, b));
                    break;
                }
                case 0x87: { // TUPLE3
                    Object c = pop();
                    Object b = pop();
                    Object a = pop();
                    push(tuple(a, b, c));
                    break;
                }
                case ']': // EMPTY_LIST
                    push(new ArrayList<>());
                    break;
                case 'l': // LIST
                    push(new ArrayList<>(popMark()));
                    break;
                case 'a': { // APPEND
                    Object v = pop();
                    list(peek()).add(v);
                    break;
                }
                case 'e': { // APPENDS
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                    break;
                }
                case '}': // EMPTY_DICT
                    push(new LinkedHashMap<>());
                    break;
                case 'd': { // DICT
                    List<Object> items = popMark();
                    Map<Object, Object> m = new LinkedHashMap<>();
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        m.put(items.get(i), items.get(i + 1));
                    }
                    push(m);
                    break;
                }
                case 's': { // SETITEM
                    Object v = pop();
                    Object k = pop();
                    map(peek()).put(k, v);
                    break;
                }
                case 'u': { // SETITEMS
                    List<Object> items = popMark();
                    Map<Object, Object> m = map(peek());
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        m.put(items.get(i), items.get(i + 1));
                    }
                    break;
                }
                case 0x8f: // EMPTY_SET
                    push(new ArrayList<>());
                    break;
                case 0x90: { // ADDITEMS
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                    break;
                }
                case 0x91: // FROZENSET
                    push(new ArrayList<>(popMark()));
                    break;
                case 'N':
                    push(null);
                    break;
                case 0x88:
                    push(Boolean.TRUE);
                    break;
                case 0x89:
                    push(Boolean.FALSE);
                    break;
                case 'J':
                    push((long) in.getInt());
                    break;
                case 'K':
                    push((long) (in.get() & 0xFF));
                    break;
                case 'M':
                    push((long) (in.getShort() & 0xFFFF));
                    break;
                case 0x8a: // LONG1
                    push(longOf(bytes(in.get() & 0xFF)));
                    break;
                case 0x8b: // LONG4
                    push(longOf(bytes(in.getInt())));
                    break;
                case 'G': // BINFLOAT, big-endian
                    push(in.order(ByteOrder.BIG_ENDIAN).getDouble());
                    in.order(ByteOrder.LITTLE_ENDIAN);
                    break;
                case 'X': // BINUNICODE
                    push(utf8(in.getInt()));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    push(utf8(in.get() & 0xFF));
                    break;
                case 0x8d: // BINUNICODE8
                    push(utf8(Math.toIntExact(in.getLong())));
                    break;
                case 'T': // BINSTRING
                    push(new String(bytes(in.getInt()), StandardCharsets.ISO_8859_1));
                    break;
                case 'U': // SHORT_BINSTRING
                    push(new String(bytes(in.get() & 0xFF), StandardCharsets.ISO_8859_1));
                    break;
                case 'B': // BINBYTES
                    push(bytes(in.getInt()));
                    break;
                case 'C': // SHORT_BINBYTES
                    push(bytes(in.get() & 0xFF));
                    break;
                case 'q': // BINPUT
                    memo.put((long) (in.get() & 0xFF), peek());
                    break;
                case 'r': // LONG_BINPUT
                    memo.put(in.getInt() & 0xFFFFFFFFL, peek());
                    break;
                case 0x94: // MEMOIZE
                    memo.put((long) memo.size(), peek());
                    break;
                case 'h': // BINGET
                    push(memoGet(in.get() & 0xFF));
                    break;
                case 'j': // LONG_BINGET
                    push(memoGet(in.getInt() & 0xFFFFFFFFL));
                    break;
                case 0x81: { // NEWOBJ
                    Tuple args = (Tuple) pop();
                    Global cls = (Global) pop();
                    push(new Instance(cls, args.items()));
                    break;
                }
                case 'R': { // REDUCE
                    Tuple args = (Tuple) pop();
                    Object callable = pop();
                    push(new Call(callable, args.items()));
                    break;
                }
                case 'b': { // BUILD
                    Object state = pop();
                    Object target = peek();
                    if (target instanceof Instance i) {
                        i.state = state;
                    }
                    break;
                }
                case 'Q': // BINPERSID
                    push(new PersistentId(pop()));
                    break;
                case '0': // POP
                    pop();
                    break;
                case '1': // POP_MARK
                    popMark();
                    break;
                case '2': // DUP
                    push(peek());
                    break;
                default:
                    throw new IOException(String.format("unsupported pickle opcode 0x%02x at byte %d", op,
                            in.position() - 1));
            }
        }
    }

    private static Tuple tuple(Object... items) {
        List<Object> l = new ArrayList<>(items.length);
        for (Object o : items) {
            l.add(o);
        }
        return new Tuple(l);
    }

    private static List<Object> nullable(Object o) {
        List<Object> l = new ArrayList<>(1);
        l.add(o);
        return l;
    }

    private Object memoGet(long key) throws IOException {
        if (!memo.containsKey(key)) {
            throw new IOException("pickle memo has no entry " + key);
        }
        return memo.get(key);
    }

    private String line() throws IOException {
        StringBuilder b = new StringBuilder();
        while (true) {
            byte c = in.get();
            if (c == '\n') {
                return b.toString();
            }
            b.append((char) (c & 0xFF));
            if (b.length() > 4096) {
                throw new IOException("pickle GLOBAL line longer than 4096 bytes");
            }
        }
    }

    private byte[] bytes(int n) throws IOException {
        if (n < 0 || n > in.remaining()) {
            throw new IOException("pickle length " + n + " exceeds the " + in.remaining() + " bytes left");
        }
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private String utf8(int n) throws IOException {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    /** Little-endian two's complement, as LONG1/LONG4 write it. */
    private static Object longOf(byte[] le) {
        if (le.length == 0) {
            return 0L;
        }
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private void push(Object o) {
        values.add(o);
    }

    private Object pop() {
        Object o = values.remove(values.size() - 1);
        if (o == MARK) {
            throw new IllegalStateException("pop reached a MARK");
        }
        return o;
    }

    private Object peek() {
        return values.get(values.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw new IllegalStateException("no MARK on the stack");
        }
        int at = marks.pop();
        List<Object> items = new ArrayList<>(values.subList(at + 1, values.size()));
        values.subList(at, values.size()).clear();
        return items;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> map(Object o) {
        return (Map<Object, Object>) o;
    }
}
