package http

import (
	"mime"
	"net/http"
	"strings"

	"github.com/glpinet/glpinet"
	"github.com/glpinet/glpinet/service"
)

type opPluginsData struct {
	Plugins []*glpinet.Plugin
}

func (s *Server) renderOpPlugins(w http.ResponseWriter, r *http.Request, v visitor, flash, errMsg string) {
	plugins, err := s.Store.ListPlugins(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if errMsg != "" {
		status = http.StatusBadRequest
	}
	s.render(w, r, status, "op_plugins", pageData{Lang: v.lang, Title: pt(v.lang, "op.plugins"), User: v.user, CSRF: s.csrfFor(w, r, v),
		Flash: flash, Error: errMsg, Data: opPluginsData{Plugins: plugins}})
}

func (s *Server) handleOpPlugins(w http.ResponseWriter, r *http.Request, v visitor) {
	s.renderOpPlugins(w, r, v, "", "")
}

// splitComma reads "a, b" form fields; "" is nil.
func splitComma(s string) []string { return service.SplitList(s) }

// uploadPage wraps the operator's archive upload. The body is read only
// once the visitor is known to be an operator: streamed to the temporary
// folder (see readUploadForm), removed when the handler returns, and the
// form's CSRF token checked from the streamed fields.
func (s *Server) uploadPage(fn func(w http.ResponseWriter, r *http.Request, v visitor, up *upload)) http.HandlerFunc {
	return s.operatorPageOnly(func(w http.ResponseWriter, r *http.Request, v visitor) {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
			// A form without a file: its token is checked as any form's,
			// then it is told to choose an archive.
			r.Body = http.MaxBytesReader(w, r.Body, formLimit)
			if !s.checkCSRF(r, v) {
				s.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.csrf"))
				return
			}
			s.renderOpPlugins(w, r, v, "", pt(v.lang, "op.noarchive"))
			return
		}
		fields, up, err := s.readUploadForm(r, "archive")
		defer up.Remove()
		if err != nil {
			if code := glpinet.ErrorCode(err); code == glpinet.EINTERNAL {
				s.Error(w, r, err)
			} else {
				s.message(w, r, v, ErrorStatus(code), "error.title", glpinet.ErrorMessage(err))
			}
			return
		}
		r.PostForm, r.Form = fields, fields
		if !s.checkCSRF(r, v) {
			s.message(w, r, v, http.StatusForbidden, "error.title", pt(v.lang, "error.csrf"))
			return
		}
		if up == nil {
			s.renderOpPlugins(w, r, v, "", pt(v.lang, "op.noarchive"))
			return
		}
		fn(w, r, v, up)
	})
}

// handleOpUpload publishes an archive uploaded through the browser, with
// the same inspection as "glpinetd plugin publish".
func (s *Server) handleOpUpload(w http.ResponseWriter, r *http.Request, v visitor, up *upload) {
	if s.Publisher == nil {
		s.Error(w, r, glpinet.Errorf(glpinet.ENOTIMPLEMENTED, "This server cannot publish."))
		return
	}
	opts, err := service.PublishFieldsFrom(r.PostForm).Options()
	var res *glpinet.PublishResult
	if err == nil {
		res, err = s.Publisher.Publish(s.actor(r, v), up.Path, opts)
	}
	if err != nil {
		if code := glpinet.ErrorCode(err); code == glpinet.EINVALID || code == glpinet.ECONFLICT {
			s.renderOpPlugins(w, r, v, "", glpinet.ErrorMessage(err))
			return
		}
		s.Error(w, r, err)
		return
	}
	s.renderOpPlugins(w, r, v, pt(v.lang, "op.published")+": "+res.Plugin.Key+" "+res.Version.Num+" (sha256 "+res.Version.Archive.SHA256+")", "")
}

func (s *Server) handleOpYank(w http.ResponseWriter, r *http.Request, v visitor) {
	err := s.Store.YankVersion(s.actor(r, v), r.PathValue("key"), r.PathValue("version"), r.PostFormValue("yanked") == "1")
	if glpinet.ErrorCode(err) == glpinet.ENOTFOUND {
		s.message(w, r, v, http.StatusNotFound, "error.title", glpinet.ErrorMessage(err))
		return
	} else if err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/operator/plugins", http.StatusSeeOther)
}

func (s *Server) opPlugin(w http.ResponseWriter, r *http.Request, v visitor) *glpinet.Plugin {
	p, err := s.Store.FindPlugin(r.Context(), r.PathValue("key"))
	if err != nil {
		s.message(w, r, v, http.StatusNotFound, "error.title", pt(v.lang, "error.notfound"))
		return nil
	}
	return p
}

func (s *Server) handleOpPlugin(w http.ResponseWriter, r *http.Request, v visitor) {
	if p := s.opPlugin(w, r, v); p != nil {
		s.render(w, r, http.StatusOK, "op_plugin", pageData{Lang: v.lang, Title: p.Name, User: v.user, CSRF: s.csrfFor(w, r, v), Data: p})
	}
}

// handleOpPluginEdit saves a plugin's catalogue text.
func (s *Server) handleOpPluginEdit(w http.ResponseWriter, r *http.Request, v visitor) {
	p := s.opPlugin(w, r, v)
	if p == nil {
		return
	}
	f := r.PostFormValue
	p.Name, p.LogoURL, p.HomepageURL, p.IssuesURL = strings.TrimSpace(f("name")), f("logo_url"), f("homepage_url"), f("issues_url")
	p.ReadmeURL, p.ChangelogURL, p.License, p.Tags = f("readme_url"), f("changelog_url"), f("license"), splitComma(f("tags"))
	p.Descriptions = nil
	for _, lang := range languages {
		if short, long := strings.TrimSpace(f("short_"+lang)), strings.TrimSpace(f("long_"+lang)); short != "" || long != "" {
			p.Descriptions = append(p.Descriptions, glpinet.Description{Lang: lang, Short: short, Long: long})
		}
	}
	if err := s.Store.SavePluginMeta(s.actor(r, v), p); err != nil {
		if glpinet.ErrorCode(err) == glpinet.EINVALID {
			s.render(w, r, http.StatusBadRequest, "op_plugin", pageData{Lang: v.lang, Title: p.Name, User: v.user, CSRF: s.csrfFor(w, r, v),
				Error: glpinet.ErrorMessage(err), Data: p})
			return
		}
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/operator/plugins", http.StatusSeeOther)
}
