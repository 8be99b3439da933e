//! The expansion of `#[provider]`: quoting only. It implements the documented
//! `providers::ProviderDefinition`, adds `builder`, `from_env` and `model` to the struct, and
//! submits a `models::ProviderRegistration` — code a user could write by hand.

use proc_macro2::TokenStream;
use quote::quote;
use syn::LitStr;

use super::attr::Auth;
use super::check::Provider;

/// The environment-variable prefix of a provider name (as the runtime's `env_prefix`), for
/// the generated documentation.
fn env_prefix(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '-' | '.' | ' ' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

fn names(vars: &[LitStr]) -> String {
    vars.iter()
        .map(|v| format!("`{}`", v.value()))
        .collect::<Vec<_>>()
        .join(" or ")
}

pub fn expand(provider: &Provider<'_>) -> TokenStream {
    let Provider {
        item,
        name,
        aliases,
        protocol_type,
        protocol_value,
        base_url,
        api_key_env,
        base_url_env,
        api_key_optional,
        auth,
        headers,
        query,
        query_env,
        krate,
    } = provider;
    let ident = &item.ident;
    let vis = &item.vis;

    let mut calls = TokenStream::new();
    if let Some(url) = base_url {
        calls.extend(quote!(.default_base_url(#url)));
    }
    if let Some(vars) = api_key_env {
        calls.extend(quote!(.api_key_env([#(#vars),*])));
    }
    if let Some(vars) = base_url_env {
        calls.extend(quote!(.base_url_env([#(#vars),*])));
    }
    if *api_key_optional {
        calls.extend(quote!(.api_key_required(false)));
    }
    match auth {
        None | Some(Auth::Bearer) => {}
        Some(Auth::Header(header)) => {
            calls.extend(quote!(.auth(#krate::http::AuthStyle::header(#header))));
        }
        Some(Auth::Query(param)) => {
            calls.extend(quote!(.auth(#krate::http::AuthStyle::query(#param))));
        }
        Some(Auth::None) => calls.extend(quote!(.auth(#krate::http::AuthStyle::None))),
    }
    for (header, value) in headers {
        calls.extend(quote!(.header(#header, #value)));
    }
    for (param, value) in query {
        calls.extend(quote!(.query_param(#param, #value)));
    }
    for (param, var) in query_env {
        calls.extend(quote!(.query_param_env(#param, #var)));
    }

    let prefix = env_prefix(&name.value());
    let key_vars = api_key_env
        .as_deref()
        .map_or_else(|| format!("`{prefix}_API_KEY`"), names);
    let url_vars = base_url_env
        .as_deref()
        .map_or_else(|| format!("`{prefix}_BASE_URL`"), names);
    let key_doc = match auth {
        Some(Auth::None) => "sends no key".to_owned(),
        _ if *api_key_optional => format!("reads the API key, if any, from {key_vars}"),
        _ => format!("reads the API key from {key_vars}"),
    };
    let url_doc = match base_url {
        Some(url) => format!("the base URL from {url_vars}, else `{}`", url.value()),
        None => format!("the base URL from {url_vars}"),
    };
    let builder_doc = format!(
        "A builder preset with the defaults of `#[provider(name = \"{}\")]`; explicit calls \
         override them and the environment.",
        name.value()
    );
    let query_doc: String = query_env
        .iter()
        .map(|(param, var)| {
            format!(
                ", the query parameter `{}` from `{}`",
                param.value(),
                var.value()
            )
        })
        .collect();
    let from_env_doc = format!(
        "This provider configured from the environment: it {key_doc}{query_doc}, and \
         {url_doc}.\n\n# Errors\n`Error::User` when a required key, the base URL or a query \
         parameter read from the environment is found nowhere."
    );
    let model_doc = format!(
        "A model of this provider configured from the environment, as the model string \
         `\"{}:<model_name>\"` gives it.\n\n# Errors\nAs [`from_env`](Self::from_env).",
        name.value()
    );

    quote! {
        #item

        const _: () = {
            #[automatically_derived]
            impl #krate::providers::ProviderDefinition for #ident {
                type Protocol = #protocol_type;
                const NAME: &'static str = #name;
                const ALIASES: &'static [&'static str] = &[#(#aliases),*];
                fn builder() -> #krate::providers::ProviderBuilder<#protocol_type> {
                    let protocol: #protocol_type = #protocol_value;
                    #krate::providers::ProviderBuilder::new(#name, protocol) #calls
                }
            }

            #[automatically_derived]
            impl #ident {
                #[doc = #builder_doc]
                #vis fn builder() -> #krate::providers::ProviderBuilder<#protocol_type> {
                    <Self as #krate::providers::ProviderDefinition>::builder()
                }

                #[doc = #from_env_doc]
                #vis fn from_env() -> #krate::Result<#krate::providers::Provider<#protocol_type>> {
                    <Self as #krate::providers::ProviderDefinition>::from_env()
                }

                #[doc = #model_doc]
                #vis fn model(
                    model_name: &str,
                ) -> #krate::Result<#krate::providers::ProviderModel<#protocol_type>> {
                    <Self as #krate::providers::ProviderDefinition>::model(model_name)
                }
            }

            #krate::__private::inventory::submit! {
                #krate::models::ProviderRegistration {
                    prefix: <#ident as #krate::providers::ProviderDefinition>::NAME,
                    aliases: <#ident as #krate::providers::ProviderDefinition>::ALIASES,
                    build: #krate::providers::registered_model::<#ident>,
                }
            }
        };
    }
}
