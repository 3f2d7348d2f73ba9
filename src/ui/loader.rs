//! Getting bytes into the importers: picked or dropped files, and URLs (`?url=`, the URL
//! field, bundled examples). Every path ends in one `FinishLoading` or `FailLoading`.

use super::now_ms;
use super::state::{Action, AppState};
use crate::import::{import, ImportError};
use gloo::timers::future::TimeoutFuture;
use yew::platform::spawn_local;
use yew::UseReducerDispatcher;

/// Reads and imports files (from the file picker or a drop), all in one batch so the
/// traces are rebuilt once.
pub fn load_files(files: Vec<web_sys::File>, dispatch: UseReducerDispatcher<AppState>) {
    if files.is_empty() {
        return;
    }
    let started_ms = now_ms();
    let sources: Vec<String> = files.iter().map(|f| f.name()).collect();
    dispatch.dispatch(Action::StartLoading(sources.clone()));
    spawn_local(async move {
        // Let the browser paint "Loading…" before the parse blocks the thread.
        TimeoutFuture::new(0).await;
        let mut stores = Vec::new();
        let mut errors = Vec::new();
        for file in files {
            let name = file.name();
            let file = gloo::file::File::from(file);
            match gloo::file::futures::read_as_bytes(&file).await {
                Ok(bytes) => match import(&name, &bytes) {
                    Ok(store) => stores.push(store),
                    Err(e) => errors.push(e),
                },
                Err(e) => errors.push(ImportError {
                    file: name,
                    message: format!("the browser could not read the file ({e})"),
                }),
            }
        }
        dispatch.dispatch(Action::FinishLoading {
            sources,
            stores,
            errors,
            started_ms,
        });
    });
}

/// Fetches a URL and imports what it returns. Failures say what happened and what the user
/// can do about it.
pub fn load_url(url: String, dispatch: UseReducerDispatcher<AppState>) {
    let url = url.trim().to_string();
    if url.is_empty() {
        return;
    }
    let started_ms = now_ms();
    dispatch.dispatch(Action::StartLoading(vec![url.clone()]));
    spawn_local(async move {
        let fail = |message: String| Action::FailLoading {
            source: url.clone(),
            message,
        };
        let response = match gloo::net::http::Request::get(&url).send().await {
            Ok(r) => r,
            Err(e) => {
                dispatch.dispatch(fail(format!(
                    "could not be fetched ({e}). The server may be down, the address wrong, or \
                     the server may not allow other sites to read it (CORS). Download the file \
                     and open it with \"Open files\" instead."
                )));
                return;
            }
        };
        if !response.ok() {
            let status = response.status();
            let text = response.status_text();
            let hint = match status {
                404 => "the file is not at that address; check it",
                401 | 403 => "the server refused access; download the file and open it instead",
                _ => "the server could not deliver the file; try again or download it",
            };
            dispatch.dispatch(fail(format!("HTTP {status} {text}: {hint}")));
            return;
        }
        let bytes = match response.binary().await {
            Ok(b) => b,
            Err(e) => {
                dispatch.dispatch(fail(format!("the download failed part-way ({e})")));
                return;
            }
        };
        let (stores, errors) = match import(&url, &bytes) {
            Ok(store) => (vec![store], vec![]),
            Err(e) => (vec![], vec![e]),
        };
        dispatch.dispatch(Action::FinishLoading {
            sources: vec![url.clone()],
            stores,
            errors,
            started_ms,
        });
    });
}

/// The `url` query parameter of the page, if any.
pub fn url_from_query() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get("url").filter(|u| !u.trim().is_empty())
}
