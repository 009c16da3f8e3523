package io.ctta.streams.serde;

/**
 * Internal control flow for decoders: thrown at the first failed check, caught in {@link RecordCodec}
 * and turned into {@link DecodeResult.Rejected}. No stack trace: rejections are expected traffic.
 */
final class Reject extends RuntimeException {

    Reject(String reason) {
        super(reason, null, false, false);
    }
}
