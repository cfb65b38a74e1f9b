//! How a crate built on the generated client takes over sending.
//!
//! progenitor hard-codes `Accept: application/json` and an `api-version`
//! header (the description's `info.version`) on every request, reads every
//! body whole, and lets the `reqwest::Client`'s redirect policy decide what
//! happens to a 3xx. A client for production registries must decide those
//! itself: GitHub's headers, how much of a body to read, which redirects to
//! follow. progenitor's answer is an "inner" value and `ClientHooks`; codegen
//! makes the inner value a `RequestHooks` trait object and implements
//! `ClientHooks::exec` by handing every request to it, so the wrapping crate
//! sends each request itself, without editing generated code.

use proc_macro2::TokenStream;
use quote::quote;

/// The type of the generated `Client`'s inner value.
pub(crate) fn inner_type() -> TokenStream {
    quote! { ::std::sync::Arc<dyn crate::RequestHooks> }
}

/// Items appended to the generated file: the trait, a do-nothing impl, and
/// the `ClientHooks` impl that routes every request through the trait.
pub(crate) fn items() -> TokenStream {
    quote! {
        /// The future [`RequestHooks::exec`] returns.
        pub type ExecFuture<'a> = ::std::pin::Pin<
            ::std::boxed::Box<
                dyn ::std::future::Future<Output = ::reqwest::Result<::reqwest::Response>>
                    + Send
                    + 'a,
            >,
        >;

        /// Sends each request [`Client`] builds.
        ///
        /// [`Client::new`] takes an `Arc<dyn RequestHooks>`; pass
        /// `Arc::new(NoHooks)` to send exactly what progenitor builds.
        pub trait RequestHooks: ::std::fmt::Debug + Send + Sync {
            /// Sends `request` (built for the operation `operation_id`)
            /// and returns the answer whose body the operation will read.
            fn exec<'a>(
                &'a self,
                client: &'a ::reqwest::Client,
                request: ::reqwest::Request,
                operation_id: &'static str,
            ) -> ExecFuture<'a> {
                let _ = operation_id;
                ::std::boxed::Box::pin(client.execute(request))
            }
        }

        /// Hooks that change nothing.
        #[derive(Clone, Copy, Debug, Default)]
        pub struct NoHooks;

        impl RequestHooks for NoHooks {}

        impl ClientHooks<::std::sync::Arc<dyn crate::RequestHooks>> for Client {
            async fn exec(
                &self,
                request: ::reqwest::Request,
                info: &OperationInfo,
            ) -> ::reqwest::Result<::reqwest::Response> {
                self.inner
                    .exec(&self.client, request, info.operation_id)
                    .await
            }
        }
    }
}
