//! The `handler!` macro: every resource module's handler type and the [`crate::Client`]
//! method that hands it out are the same few lines, so they are written once here.

/// Declares `pub struct $name { client: Client }` (Debug + Clone) and `Client::$method`,
/// which returns one holding a clone of the client (cheap: the client is reference-counted).
macro_rules! handler {
    (
        $(#[$meta:meta])*
        $name:ident,
        $(#[$method_meta:meta])*
        fn $method:ident
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name {
            client: $crate::client::Client,
        }

        impl $crate::client::Client {
            $(#[$method_meta])*
            pub fn $method(&self) -> $name {
                $name {
                    client: self.clone(),
                }
            }
        }
    };
}

pub(crate) use handler;
