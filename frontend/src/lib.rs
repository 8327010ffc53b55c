#![recursion_limit = "256"]
//! The browser entry point: hydrates the server-rendered page, once the
//! code of the page's lazily loaded route has arrived.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(shipshape_app::App);
}
