//! One API path, registered from its handlers' `#[utoipa::path]` descriptions: the route's
//! path and method are read from the same attribute that documents it, so the OpenAPI document
//! cannot list a route the server does not serve, or miss one it does. All of a path's methods
//! share one actix resource, so a method it does not serve answers 405 with an `Allow` header
//! (actix's own handling; the body is put in the `{code, message}` shape by
//! [`super::super::error::method_not_allowed`]).

use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::http::Method;
use actix_web::{FromRequest, Handler, Resource, Responder, web};
use utoipa::openapi::RefOr;
use utoipa::openapi::path::{HttpMethod, Paths};
use utoipa::openapi::schema::Schema;
use utoipa_actix_web::OpenApiFactory;

/// A path and every method it serves, with their OpenAPI operations.
pub struct Endpoint {
    path: String,
    resource: Resource,
    paths: Vec<Paths>,
    schemas: Vec<(String, RefOr<Schema>)>,
}

impl Endpoint {
    /// The path `Doc` describes, served by `handler` for `Doc`'s method.
    pub fn new<Doc, F, Args>(doc: Doc, handler: F) -> Self
    where
        Doc: utoipa::Path + OpenApiFactory,
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        let path = Doc::path();
        Endpoint {
            resource: web::resource(path.clone()),
            path,
            paths: Vec::new(),
            schemas: Vec::new(),
        }
        .and(doc, handler)
    }

    /// Another method on the same path.
    ///
    /// # Panics
    /// When `Doc` describes another path or a method no HTTP client sends: a registration
    /// mistake, found by the first test that builds the application.
    pub fn and<Doc, F, Args>(mut self, doc: Doc, handler: F) -> Self
    where
        Doc: utoipa::Path + OpenApiFactory,
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        assert_eq!(Doc::path(), self.path, "one endpoint serves one path");
        for method in Doc::methods() {
            let method = actix_method(&method);
            self.resource = self
                .resource
                .route(web::route().method(method).to(handler.clone()));
        }
        self.paths.push(doc.paths());
        doc.schemas(&mut self.schemas);
        self
    }
}

fn actix_method(method: &HttpMethod) -> Method {
    match method {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Head => Method::HEAD,
        HttpMethod::Options => Method::OPTIONS,
        HttpMethod::Trace => Method::TRACE,
    }
}

impl HttpServiceFactory for Endpoint {
    fn register(self, config: &mut AppService) {
        self.resource.register(config);
    }
}

impl OpenApiFactory for Endpoint {
    fn paths(&self) -> Paths {
        let mut all = Paths::new();
        for p in &self.paths {
            all.merge(p.clone());
        }
        all
    }

    fn schemas(&self, schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.extend(self.schemas.iter().cloned());
    }
}
