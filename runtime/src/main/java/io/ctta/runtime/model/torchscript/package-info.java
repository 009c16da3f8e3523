/**
 * Reading TorchScript archives ({@code torch.jit.save} files): the module tree from
 * {@code data.pkl} and the class sources, and the instrumented copy through which the runtime
 * reaches a module's buffers and per-module training flags. See docs/models.md.
 */
package io.ctta.runtime.model.torchscript;
