//! The request hooks codegen wires into the generated client.
//!
//! progenitor hard-codes `Accept: application/json` and an `api-version`
//! header (the description's `info.version`) on every request, and its
//! client cannot otherwise be told which headers to send when the caller
//! brings their own `reqwest::Client`. progenitor's answer is an "inner"
//! value plus pre/post hooks; codegen makes the inner value a
//! `RequestHooks` trait object, so a crate built on the generated one can
//! set GitHub's headers and observe every answer (status and rate-limit
//! headers, even when the body then fails to decode) without editing
//! generated code.

use proc_macro2::TokenStream;
use quote::quote;

/// The type of the generated `Client`'s inner value.
pub(crate) fn inner_type() -> TokenStream {
    quote! { ::std::sync::Arc<dyn crate::RequestHooks> }
}

/// Called by each generated operation just before sending.
pub(crate) fn pre_hook() -> TokenStream {
    quote! {
        |hooks: &::std::sync::Arc<dyn crate::RequestHooks>, request: &mut ::reqwest::Request| {
            hooks.before_send(request)
        }
    }
}

/// Called by each generated operation with the outcome, before reading the body.
pub(crate) fn post_hook() -> TokenStream {
    quote! {
        |hooks: &::std::sync::Arc<dyn crate::RequestHooks>,
         result: &::reqwest::Result<::reqwest::Response>| {
            hooks.after_receive(result)
        }
    }
}

/// Items appended to the generated file: the trait and a do-nothing impl.
pub(crate) fn items() -> TokenStream {
    quote! {
        /// Adjusts each request [`Client`] sends and observes each answer.
        ///
        /// [`Client::new`] takes an `Arc<dyn RequestHooks>`; pass
        /// `Arc::new(NoHooks)` to send exactly what progenitor builds.
        pub trait RequestHooks: ::std::fmt::Debug + Send + Sync {
            /// Called with each request just before it is sent.
            fn before_send(&self, request: &mut ::reqwest::Request) {
                let _ = request;
            }

            /// Called with the outcome of each request before its body is read.
            fn after_receive(&self, result: &::reqwest::Result<::reqwest::Response>) {
                let _ = result;
            }
        }

        /// Hooks that change nothing.
        #[derive(Clone, Copy, Debug, Default)]
        pub struct NoHooks;

        impl RequestHooks for NoHooks {}
    }
}
