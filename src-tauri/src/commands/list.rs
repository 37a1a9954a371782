// The app's commands, each declared once: where it lives and its flags.
// Included (not a module) by `commands/mod.rs`, `build.rs` and the tests, so
// that one list makes the handler registration (`lib.rs`), the permissions
// (`build.rs`), the capability (`capabilities/main.json`) and the typed TS
// client (`ui/src/lib/bindings/commands.ts`); the last two are written by
// `tests/commands.rs`, which also checks each entry against its function.
//
// Flags, each entry exactly one of the first two kinds:
// - where it goes: `local` (stays on this computer), `network` (leaves it,
//   no one service), or the service it calls: `vault_stream`, `jwt_keys`,
//   `vault`;
// - `write`: changes something, so one that never answers may have done it;
// - `untimed`: waits on the user (a native dialog) or reports progress and
//   can be cancelled, so the UI sets it no deadline;
// - `probe`: a page's list; its answer says the service is reachable;
// - `unreported`: checks credentials not in use yet, so its refusal says
//   nothing about the active profile's services.

/// Calls `$then! { module::command [flags], … }` with every command.
macro_rules! with_commands {
    ($then:ident) => {
        $then! {
            profiles::app_state [local],
            profiles::explore_sandbox [network],
            profiles::connect_account [network, write, unreported],
            profiles::replace_credential [network, write, unreported],
            profiles::switch_profile [local, write],
            profiles::remove_profile [local, write],
            profiles::service_status [network],
            profiles::service_clock [local],
            profiles::profile_network [local],
            profiles::set_profile_network [local, write],
            profiles::pick_ca_file [local, untimed],
            secrets::use_encrypted_file [local, write],
            secrets::unlock_secrets [local, write],
            tokens::list_tokens [vault_stream, probe],
            tokens::token_scopes [local],
            tokens::create_token [vault_stream, write],
            tokens::reveal_token [local],
            tokens::copy_token [local],
            tokens::token_snippets [local],
            tokens::save_revealed_token [local, write],
            tokens::close_reveal [local],
            tokens::revoke_token [vault_stream, write],
            tokens::rotate_token [vault_stream, write],
            tokens::finish_rotation [vault_stream, write],
            tokens::rotation_reminders [local],
            tokens::rotation_states [vault_stream],
            tokens::saved_tokens [local],
            tokens::create_user_jwt [vault_stream],
            tokens::set_preferences [local, write],
            activity::activity_log [local],
            activity::export_activity [local, untimed],
            assets::vault_session [vault],
            assets::vault_login [vault],
            assets::vault_logout [vault, write],
            assets::list_assets [vault, probe],
            assets::asset_details [vault],
            assets::list_transforms [vault],
            assets::request_transform [vault, write],
            assets::share_asset [vault, write],
            assets::update_asset [vault, write],
            assets::delete_asset [vault, write],
            assets::delete_assets [vault, write],
            assets::list_folders [vault],
            assets::create_folder [vault, write],
            assets::vault_quota [vault],
            assets::set_legal_hold [vault, write],
            assets::clear_legal_hold [vault, write],
            assets::pick_and_upload [vault, untimed],
            assets::upload_dropped [vault],
            assets::cancel_upload [local],
            keys::keys_overview [jwt_keys, probe],
            keys::key_details [jwt_keys],
            keys::generate_key [local, untimed],
            keys::cancel_keygen [local],
            keys::import_key [local, write],
            keys::local_key [local],
            keys::export_private_key [local, untimed],
            keys::upload_key [jwt_keys, write],
            keys::upload_public_key [jwt_keys, write],
            keys::verify_uploaded_key [jwt_keys],
            keys::set_default_key [jwt_keys, write],
            keys::delete_key [jwt_keys, write],
            keys::sign_video_jwt [local],
            keys::set_jwt_max_ttl [local, write],
            keys::copy_held [local],
            keys::test_playback [network],
            keys::verify_any_jwt [jwt_keys],
            keys::diagnose_playback [jwt_keys],
            keys::video_url_templates [local],
            keys::set_video_url_templates [local, write],
            retire::key_deletion_check [jwt_keys],
            retire::schedule_key_deletion [jwt_keys, write],
            retire::cancel_key_deletion [local, write],
            retire::retire_due_keys [network, write],
            calendar::export_calendar [vault_stream, untimed],
            health::health_report [network],
            health::forget_saved_token [local, write],
            updates::update_settings [local],
            updates::set_update_checks [local, write],
            updates::check_for_update [network],
            updates::install_update [network, write, untimed],
            policy::policy_status [local],
            policy::set_policy_file [local, write],
            policy::pick_policy_file [local, untimed],
            policy::check_policy [network],
            scan::pick_scan_folder [local, untimed],
            scan::scan_folder [network, untimed],
            scan::cancel_scan [local],
            links::take_deep_links [local],
        }
    };
}
