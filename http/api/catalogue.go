package api

import (
	"net/http"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/http/httpx"
	"github.com/glpinet/glpinet/service"
)

func (h *Handler) plugins(w http.ResponseWriter, r *http.Request, c caller) {
	plugins, err := h.Store.ListPlugins(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, paginate(r, plugins))
}

func (h *Handler) plugin(w http.ResponseWriter, r *http.Request, c caller) {
	p, err := h.Store.FindPlugin(r.Context(), r.PathValue("key"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}

// publish publishes the archive sent as the request body (up to 100
// MiB). The query gives its file name (which says its format) and the
// options: ?filename=glpi-foo-1.0.0.tar.gz&required_offers=basic&compatibility=~10.0&stability=&force=1.
func (h *Handler) publish(w http.ResponseWriter, r *http.Request, c caller) {
	if !h.operatorOnly(w, r, c) {
		return
	}
	if h.Publisher == nil {
		h.fail(w, r, glpinet.Errorf(glpinet.ENOTIMPLEMENTED, "This server cannot publish."))
		return
	}
	q := r.URL.Query()
	opts, err := service.PublishFieldsFrom(q).Options()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	name, err := httpx.UploadName(q.Get("filename"))
	if err != nil {
		h.fail(w, r, glpinet.Errorf(glpinet.EINVALID, "%s Give it as ?filename=glpi-foo-1.0.0.tar.gz (.zip, .tar.gz or .tar.bz2).", glpinet.ErrorMessage(err)))
		return
	}
	up, err := h.Uploads.Save(name, r.Body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer up.Remove()
	res, err := h.Publisher.Publish(actor(r, c), up.Path, opts)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, res)
}

func (h *Handler) editPlugin(w http.ResponseWriter, r *http.Request, c caller) {
	if !h.operatorOnly(w, r, c) {
		return
	}
	p, err := h.Store.FindPlugin(r.Context(), r.PathValue("key"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var m glpinet.PluginMeta
	if err := decode(r, &m); err != nil {
		h.fail(w, r, err)
		return
	}
	m.Apply(p)
	if err := h.Store.SavePluginMeta(actor(r, c), p); err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}

func (h *Handler) yank(yanked bool) func(http.ResponseWriter, *http.Request, caller) {
	return func(w http.ResponseWriter, r *http.Request, c caller) {
		if !h.operatorOnly(w, r, c) {
			return
		}
		if err := h.Store.YankVersion(actor(r, c), r.PathValue("key"), r.PathValue("version"), yanked); err != nil {
			h.fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (h *Handler) tags(w http.ResponseWriter, r *http.Request, c caller) {
	tags, err := h.Store.ListTags(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, paginate(r, tags))
}

func (h *Handler) saveTag(w http.ResponseWriter, r *http.Request, c caller) {
	if !h.operatorOnly(w, r, c) {
		return
	}
	var t glpinet.Tag
	if err := decode(r, &t); err != nil {
		h.fail(w, r, err)
		return
	}
	t.Key = r.PathValue("key")
	if err := h.Store.SaveTag(actor(r, c), &t); err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, t)
}
