//! Generates the permissions of the app's own commands; the capability in
//! `capabilities/main.json` grants exactly these.

/// Every `#[tauri::command]` of the app. A command missing here cannot be invoked.
const COMMANDS: &[&str] = &[
    "app_state",
    "explore_sandbox",
    "connect_account",
    "switch_profile",
    "remove_profile",
    "service_status",
    "list_tokens",
    "token_scopes",
    "use_encrypted_file",
    "unlock_secrets",
    "create_token",
    "reveal_token",
    "copy_token",
    "token_snippets",
    "save_revealed_token",
    "close_reveal",
    "revoke_token",
    "rotate_token",
    "finish_rotation",
    "rotation_reminders",
    "saved_tokens",
    "create_user_jwt",
    "set_preferences",
    "activity_log",
    "export_activity",
    "keys_overview",
    "key_details",
    "generate_key",
    "cancel_keygen",
    "import_key",
    "local_key",
    "export_private_key",
    "upload_key",
    "upload_public_key",
    "verify_uploaded_key",
    "delete_key",
    "sign_video_jwt",
    "test_playback",
    "verify_any_jwt",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| panic!("tauri-build failed: {e}"));
}
