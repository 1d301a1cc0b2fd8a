package http

import (
	"net/http"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/service"
)

func (s *Server) apiPlugins(w http.ResponseWriter, r *http.Request, c caller) {
	plugins, err := s.Store.ListPlugins(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paginate(r, plugins))
}

func (s *Server) apiPlugin(w http.ResponseWriter, r *http.Request, c caller) {
	p, err := s.Store.FindPlugin(r.Context(), r.PathValue("key"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// apiPublish publishes the archive sent as the request body (up to 100
// MiB). The query gives its file name (which says its format) and the
// options: ?filename=glpi-foo-1.0.0.tar.gz&required_offers=basic&compatibility=~10.0&stability=&force=1.
func (s *Server) apiPublish(w http.ResponseWriter, r *http.Request, c caller) {
	if !s.operatorOnly(w, r, c) {
		return
	}
	if s.Publisher == nil {
		s.Error(w, r, glpinet.Errorf(glpinet.ENOTIMPLEMENTED, "This server cannot publish."))
		return
	}
	q := r.URL.Query()
	opts, err := service.PublishFieldsFrom(q).Options()
	if err != nil {
		s.Error(w, r, err)
		return
	}
	name, err := uploadName(q.Get("filename"))
	if err != nil {
		s.Error(w, r, glpinet.Errorf(glpinet.EINVALID, "%s Give it as ?filename=glpi-foo-1.0.0.tar.gz (.zip, .tar.gz or .tar.bz2).", glpinet.ErrorMessage(err)))
		return
	}
	up, err := s.saveUpload(name, r.Body)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	defer up.Remove()
	res, err := s.Publisher.Publish(apiActor(r, c), up.Path, opts)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, res)
}

func (s *Server) apiEditPlugin(w http.ResponseWriter, r *http.Request, c caller) {
	if !s.operatorOnly(w, r, c) {
		return
	}
	p, err := s.Store.FindPlugin(r.Context(), r.PathValue("key"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var m glpinet.PluginMeta
	if err := decode(r, &m); err != nil {
		s.Error(w, r, err)
		return
	}
	m.Apply(p)
	if err := s.Store.SavePluginMeta(apiActor(r, c), p); err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) apiYank(yanked bool) func(http.ResponseWriter, *http.Request, caller) {
	return func(w http.ResponseWriter, r *http.Request, c caller) {
		if !s.operatorOnly(w, r, c) {
			return
		}
		if err := s.Store.YankVersion(apiActor(r, c), r.PathValue("key"), r.PathValue("version"), yanked); err != nil {
			s.Error(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) apiTags(w http.ResponseWriter, r *http.Request, c caller) {
	tags, err := s.Store.ListTags(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paginate(r, tags))
}

func (s *Server) apiSaveTag(w http.ResponseWriter, r *http.Request, c caller) {
	if !s.operatorOnly(w, r, c) {
		return
	}
	var t glpinet.Tag
	if err := decode(r, &t); err != nil {
		s.Error(w, r, err)
		return
	}
	t.Key = r.PathValue("key")
	if err := s.Store.SaveTag(apiActor(r, c), &t); err != nil {
		s.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}
