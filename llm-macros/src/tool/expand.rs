//! The code `#[tool]` generates: the item with the derives it lacks, and a `Tool` impl whose
//! bodies call documented `llm_runtime::tools` functions.

use proc_macro2::TokenStream;
use quote::quote;

use super::ast::{Input, Shape};
use super::attr::ToolAttr;
use super::check::tool_name;
use crate::paths::Paths;

/// The expansion of a valid `#[tool]` item, `tokens` being the item as written.
pub fn tool(input: &Input, tokens: &TokenStream, attr: &ToolAttr, paths: &Paths) -> TokenStream {
    let item = with_derives(input, tokens, paths);
    let tool_impl = tool_impl(input, attr, paths, true);
    quote! {
        #item
        const _: () = {
            #tool_impl
        };
    }
}

/// The expansion of an item with mistakes: the item as it would have been, the errors, and a
/// `Tool` impl that needs nothing of the item, so that its uses raise no further errors.
pub fn fallback(
    input: &Input,
    tokens: &TokenStream,
    attr: &ToolAttr,
    paths: &Paths,
    errors: syn::Error,
) -> TokenStream {
    let item = match input.shape {
        // serde and schemars refuse unions with errors of their own.
        Shape::Union(_) => tokens.clone(),
        _ => with_derives(input, tokens, paths),
    };
    let tool_impl = tool_impl(input, attr, paths, false);
    let errors = errors.to_compile_error();
    quote! {
        #item
        #errors
        const _: () = {
            #tool_impl
        };
    }
}

/// The item as written (`tokens`, not printed again from the parsed input: macros run on
/// every build), after `#[derive(Deserialize)]` and `#[derive(JsonSchema)]` where the user
/// has not written them, through llm_runtime's re-exports.
fn with_derives(input: &Input, tokens: &TokenStream, paths: &Paths) -> TokenStream {
    let private = paths.private();
    let mut added = TokenStream::new();
    if !input.derives.deserialize {
        let serde_crate = paths.private_crate_string("serde");
        added.extend(quote! {
            #[derive(#private::serde::Deserialize)]
            #[serde(crate = #serde_crate)]
        });
    }
    if !input.derives.json_schema {
        let schemars_crate = paths.private_crate_string("schemars");
        added.extend(quote! {
            #[derive(#private::schemars::JsonSchema)]
            #[schemars(crate = #schemars_crate)]
        });
    }
    quote! {
        #added
        #tokens
    }
}

/// `impl Tool`: with `real` bodies that parse and describe, or stubs that need no bound.
fn tool_impl(input: &Input, attr: &ToolAttr, paths: &Paths, real: bool) -> TokenStream {
    let tools = paths.tools();
    let messages = paths.messages();
    let ident = input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let name = tool_name(input, attr);
    let description = match (&attr.description, &input.doc) {
        (Some(literal), _) => quote!(.with_description(#literal)),
        (None, Some(doc)) => quote!(.with_description(#doc)),
        (None, None) => quote!(),
    };
    let strict = attr.strict.map(|strict| quote!(.with_strict(#strict)));
    let (parameters, from_call) = if real {
        (
            quote! {
                .with_parameters(::core::clone::Clone::clone(
                    #tools::schema_for::<Self>().json(),
                ))
            },
            quote!(#tools::parse_args::<Self>(call)),
        )
    } else {
        (
            quote!(),
            quote! {
                ::core::result::Result::Err(#tools::ToolArgsError::new(
                    call,
                    ::std::vec::Vec::new(),
                ))
            },
        )
    };
    // `#[inline]` defers the code of both methods (and of the `Deserialize` that `from_call`
    // instantiates) to the crate that calls them, as serde's generic derived code is: a crate
    // that declares tools pays for the parser only where it parses (README, Performance).
    quote! {
        #[automatically_derived]
        impl #impl_generics #tools::Tool for #ident #ty_generics #where_clause {
            const NAME: &'static str = #name;

            #[inline]
            fn definition() -> #tools::ToolDefinition {
                #tools::ToolDefinition::new(<Self as #tools::Tool>::NAME)
                    #description
                    #parameters
                    #strict
            }

            #[inline]
            fn from_call(
                call: &#messages::ToolCallPart,
            ) -> ::core::result::Result<Self, #tools::ToolArgsError> {
                #from_call
            }
        }
    }
}
