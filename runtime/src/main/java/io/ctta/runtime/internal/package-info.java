/** Implementation details of the runtime; not API, may change without notice. */
package io.ctta.runtime.internal;
