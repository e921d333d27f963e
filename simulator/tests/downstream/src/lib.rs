//! A downstream crate: code that drafts a software specification through
//! `vsphere-api`, and tests that run it against `vsphere-simulator`.

use vsphere_api::client::Client;
use vsphere_api::operations::content_library_item_update_session_create as update_session;
use vsphere_api::types::content::library::item::UpdateSessionModel;

/// Opens an update session on `item`: the code under test.
pub async fn open_update_session(
    client: &Client,
    item: &str,
) -> Result<String, update_session::Error> {
    let mut model = UpdateSessionModel::default();
    model.library_item_id = Some(item.to_owned());
    client
        .content_library_item_update_session_create(update_session::Request::new(update_session::RequestRequired { body: model }))
        .await
}
