package portal

import (
	"mime"
	"net/http"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
	"github.com/glpinet/glpinet/service"
)

type opPluginsData struct {
	Plugins []*glpinet.Plugin
}

func (h *Handler) renderOpPlugins(w http.ResponseWriter, r *http.Request, v visitor, flash, errMsg string) {
	plugins, err := h.Store.ListPlugins(r.Context())
	if err != nil {
		h.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if errMsg != "" {
		status = http.StatusBadRequest
	}
	h.render(w, r, status, "op_plugins", pageData{Lang: v.lang, Title: pt(v.lang, "op.plugins"), User: v.user, CSRF: h.csrfFor(w, r, v),
		Flash: flash, Error: errMsg, Data: opPluginsData{Plugins: plugins}})
}

func (h *Handler) handleOpPlugins(w http.ResponseWriter, r *http.Request, v visitor) {
	h.renderOpPlugins(w, r, v, "", "")
}

// splitComma reads "a, b" form fields; "" is nil.
func splitComma(s string) []string { return service.SplitList(s) }

// uploadPage wraps the operator's archive upload. The body is read only
// once the visitor is known to be an operator: streamed to the temporary
// folder (see httpx.Uploads.ReadForm), removed when the handler returns, and the
// form's CSRF token checked from the streamed fields.
func (h *Handler) uploadPage(fn func(w http.ResponseWriter, r *http.Request, v visitor, up *httpx.Upload)) http.HandlerFunc {
	return h.operatorPageOnly(func(w http.ResponseWriter, r *http.Request, v visitor) {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
			// A form without a file: its token is checked as any form's,
			// then it is told to choose an archive.
			r.Body = http.MaxBytesReader(w, r.Body, h.Uploads.FieldBytes)
			if !h.checkCSRF(r, v) {
				h.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.csrf"))
				return
			}
			h.renderOpPlugins(w, r, v, "", pt(v.lang, "op.noarchive"))
			return
		}
		fields, up, err := h.Uploads.ReadForm(r, "archive")
		defer up.Remove()
		if err != nil {
			if code := glpinet.ErrorCode(err); code == glpinet.EINTERNAL {
				h.Error(w, r, err)
			} else {
				h.message(w, r, v, httpx.ErrorStatus(code), "error.title", glpinet.ErrorMessage(err))
			}
			return
		}
		r.PostForm, r.Form = fields, fields
		if !h.checkCSRF(r, v) {
			h.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.csrf"))
			return
		}
		if up == nil {
			h.renderOpPlugins(w, r, v, "", pt(v.lang, "op.noarchive"))
			return
		}
		fn(w, r, v, up)
	})
}

// handleOpUpload publishes an archive uploaded through the browser, with
// the same inspection as "glpinetd plugin publish".
func (h *Handler) handleOpUpload(w http.ResponseWriter, r *http.Request, v visitor, up *httpx.Upload) {
	if h.Publisher == nil {
		h.Error(w, r, glpinet.Errorf(glpinet.ENOTIMPLEMENTED, "This server cannot publish."))
		return
	}
	opts, err := service.PublishFieldsFrom(r.PostForm).Options()
	var res *glpinet.PublishResult
	if err == nil {
		res, err = h.Publisher.Publish(h.actor(r, v), up.Path, opts)
	}
	if err != nil {
		if code := glpinet.ErrorCode(err); code == glpinet.EINVALID || code == glpinet.ECONFLICT {
			h.renderOpPlugins(w, r, v, "", glpinet.ErrorMessage(err))
			return
		}
		h.Error(w, r, err)
		return
	}
	h.renderOpPlugins(w, r, v, pt(v.lang, "op.published")+": "+res.Plugin.Key+" "+res.Version.Num+" (sha256 "+res.Version.Archive.SHA256+")", "")
}

func (h *Handler) handleOpYank(w http.ResponseWriter, r *http.Request, v visitor) {
	err := h.Store.YankVersion(h.actor(r, v), r.PathValue("key"), r.PathValue("version"), r.PostFormValue("yanked") == "1")
	if glpinet.ErrorCode(err) == glpinet.ENOTFOUND {
		h.message(w, r, v, http.StatusNotFound, "error.title", glpinet.ErrorMessage(err))
		return
	} else if err != nil {
		h.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/operator/plugins", http.StatusSeeOther)
}

func (h *Handler) opPlugin(w http.ResponseWriter, r *http.Request, v visitor) *glpinet.Plugin {
	p, err := h.Store.FindPlugin(r.Context(), r.PathValue("key"))
	if err != nil {
		h.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
		return nil
	}
	return p
}

func (h *Handler) handleOpPlugin(w http.ResponseWriter, r *http.Request, v visitor) {
	if p := h.opPlugin(w, r, v); p != nil {
		h.render(w, r, http.StatusOK, "op_plugin", pageData{Lang: v.lang, Title: p.Name, User: v.user, CSRF: h.csrfFor(w, r, v), Data: p})
	}
}

// handleOpPluginEdit saves a plugin's catalogue text.
func (h *Handler) handleOpPluginEdit(w http.ResponseWriter, r *http.Request, v visitor) {
	p := h.opPlugin(w, r, v)
	if p == nil {
		return
	}
	f := r.PostFormValue
	p.Name, p.LogoURL, p.HomepageURL, p.IssuesURL = strings.TrimSpace(f("name")), f("logo_url"), f("homepage_url"), f("issues_url")
	p.ReadmeURL, p.ChangelogURL, p.License, p.Tags = f("readme_url"), f("changelog_url"), f("license"), splitComma(f("tags"))
	p.Descriptions = nil
	for _, lang := range httpx.Languages {
		if short, long := strings.TrimSpace(f("short_"+lang)), strings.TrimSpace(f("long_"+lang)); short != "" || long != "" {
			p.Descriptions = append(p.Descriptions, glpinet.Description{Lang: lang, Short: short, Long: long})
		}
	}
	if err := h.Store.SavePluginMeta(h.actor(r, v), p); err != nil {
		if glpinet.ErrorCode(err) == glpinet.EINVALID {
			h.render(w, r, http.StatusBadRequest, "op_plugin", pageData{Lang: v.lang, Title: p.Name, User: v.user, CSRF: h.csrfFor(w, r, v),
				Error: glpinet.ErrorMessage(err), Data: p})
			return
		}
		h.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/operator/plugins", http.StatusSeeOther)
}
