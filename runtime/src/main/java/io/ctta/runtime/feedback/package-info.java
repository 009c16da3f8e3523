/**
 * Joining labels that arrive late (the {@code <pipeline>.feedback} topic) with the predictions
 * they belong to: {@link io.ctta.runtime.feedback.FeedbackJoiner}, pure Java with bounded state.
 * Semantics are documented in docs/feedback.md.
 */
package io.ctta.runtime.feedback;
