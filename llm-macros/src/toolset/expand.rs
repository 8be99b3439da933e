//! The code `#[toolset]` generates: inherent `definitions()` and `from_call()`, and a
//! compile-time check that no two tools share a name.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::ast::Input;
use crate::paths::Paths;

/// The expansion of a valid `#[toolset]` enum.
pub fn toolset(input: &Input, paths: &Paths) -> TokenStream {
    let original = input.original;
    let methods = methods(input, paths, true);
    let checks = checks(input, paths);
    quote! {
        #original
        const _: () = {
            #methods
            #checks
        };
    }
}

/// The expansion of an item with mistakes: the item as written, the errors, and methods that
/// need nothing of the item, so that their uses raise no further errors.
pub fn fallback(input: &Input, paths: &Paths, errors: syn::Error) -> TokenStream {
    let original = input.original;
    let methods = methods(input, paths, false);
    let errors = errors.to_compile_error();
    quote! {
        #original
        #errors
        const _: () = {
            #methods
        };
    }
}

/// The inherent methods; with `real` bodies, or stubs.
fn methods(input: &Input, paths: &Paths, real: bool) -> TokenStream {
    let tools = paths.tools();
    let messages = paths.messages();
    let ident = input.ident;
    let vis = input.vis;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let tools_of: Vec<_> = input
        .variants()
        .iter()
        .filter_map(|v| Some((v.ident, v.tool?)))
        .collect();
    let (definitions, from_call) = if real {
        let tool = |ty: &syn::Type| quote_spanned!(ty.span()=> <#ty as #tools::Tool>);
        let each_definition = tools_of.iter().map(|(_, ty)| {
            let tool = tool(ty);
            quote!(#tool::definition())
        });
        let each_dispatch = tools_of.iter().map(|(variant, ty)| {
            let tool = tool(ty);
            quote! {
                if call.tool_name == #tool::NAME {
                    return ::core::result::Result::map(#tool::from_call(call), Self::#variant);
                }
            }
        });
        let names = tools_of.iter().map(|(_, ty)| {
            let tool = tool(ty);
            quote!(#tool::NAME)
        });
        (
            quote!(::std::vec![#(#each_definition),*]),
            quote! {
                #(#each_dispatch)*
                ::core::result::Result::Err(#tools::ToolArgsError::unknown_tool(call, &[#(#names),*]))
            },
        )
    } else {
        (
            quote!(::std::vec::Vec::new()),
            quote!(::core::result::Result::Err(#tools::ToolArgsError::unknown_tool(call, &[]))),
        )
    };
    quote! {
        #[automatically_derived]
        impl #impl_generics #ident #ty_generics #where_clause {
            /// The definitions of this toolset's tools, in variant order: what goes in
            /// `ModelRequestParameters::function_tools`.
            #vis fn definitions() -> ::std::vec::Vec<#tools::ToolDefinition> {
                #definitions
            }

            /// Parses a call of one of this toolset's tools, chosen by the call's tool name.
            ///
            /// # Errors
            ///
            /// A `ToolArgsError` when the arguments do not fit the tool, or when no tool of
            /// this toolset has that name (the error then lists the names it has).
            #vis fn from_call(
                call: &#messages::ToolCallPart,
            ) -> ::core::result::Result<Self, #tools::ToolArgsError> {
                #from_call
            }
        }
    }
}

/// For each pair of tools, a `const` assertion that their names differ: the names are only
/// known once each `#[tool]` has expanded, so this is checked by the compiler.
fn checks(input: &Input, paths: &Paths) -> TokenStream {
    let tools = paths.tools();
    let ident = input.ident;
    let variants: Vec<_> = input
        .variants()
        .iter()
        .filter_map(|v| Some((v.ident, v.tool?)))
        .collect();
    let mut checks = TokenStream::new();
    for (j, (later, later_ty)) in variants.iter().enumerate() {
        for (earlier, earlier_ty) in &variants[..j] {
            let message = format!(
                "variants `{earlier}` and `{later}` of toolset `{ident}` wrap tools with the \
                 same name; rename one with #[tool(name = \"..\")]"
            );
            checks.extend(quote_spanned! {later_ty.span()=>
                const _: () = ::core::assert!(
                    !#tools::same_name(
                        <#earlier_ty as #tools::Tool>::NAME,
                        <#later_ty as #tools::Tool>::NAME,
                    ),
                    #message,
                );
            });
        }
    }
    checks
}
