package server

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hadir-id/hadir/api"
	"github.com/hadir-id/hadir/recognition"
)

// maxPhotos is the most photos one registration takes.
const maxPhotos = 5

// FaceEngine loads the recognition engine on first use (it costs ~170 MB
// and seconds to load), so a server without models still serves sync.
// One FaceEngine may be shared by several Servers (tests).
type FaceEngine struct {
	dir string
	mu  sync.Mutex
	eng *recognition.Engine
}

// NewFaceEngine returns a lazy engine over the model directory.
func NewFaceEngine(modelsDir string) *FaceEngine { return &FaceEngine{dir: modelsDir} }

func (f *FaceEngine) get() (*recognition.Engine, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.eng != nil {
		return f.eng, nil
	}
	eng, err := recognition.NewEngine(f.dir, recognition.DefaultOptions())
	if err != nil {
		return nil, err
	}
	f.eng = eng
	return eng, nil
}

// Close releases the engine if it was loaded.
func (f *FaceEngine) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.eng != nil {
		f.eng.Close()
		f.eng = nil
	}
}

// photo is one uploaded file.
type photo struct {
	name string
	data []byte
}

// readMultipart reads form fields and files of a multipart body, each file
// limited to maxFile bytes (a larger one is kept truncated at maxFile+1
// so validation reports it).
func readMultipart(r *http.Request, maxFile int64) (map[string]string, []photo, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, nil, fail(http.StatusUnsupportedMediaType, "unsupported_media_type", "send the photo as multipart/form-data (field \"photo\")")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, badRequest("multipart body: %v", err)
	}
	fields := map[string]string{}
	var photos []photo
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return fields, photos, nil
		}
		if err != nil {
			if isMaxBytes(err) {
				return nil, nil, err
			}
			return nil, nil, badRequest("multipart body: %v", err)
		}
		name := part.FormName()
		if part.FileName() == "" && name != "photo" {
			b, err := io.ReadAll(io.LimitReader(part, 1025))
			if err != nil {
				return nil, nil, badRequest("field %s: %v", name, err)
			}
			if len(b) > 1024 {
				return nil, nil, badRequest("field %s is longer than 1024 bytes", name)
			}
			fields[name] = strings.TrimSpace(string(b))
			continue
		}
		if name != "photo" {
			return nil, nil, badRequest("unexpected file field %q (use \"photo\")", name)
		}
		if len(photos) == maxPhotos {
			return nil, nil, badRequest("at most %d photos", maxPhotos)
		}
		b, err := io.ReadAll(io.LimitReader(part, maxFile+1))
		if err != nil {
			if isMaxBytes(err) {
				return nil, nil, err
			}
			return nil, nil, badRequest("photo %q: %v", part.FileName(), err)
		}
		photos = append(photos, photo{name: part.FileName(), data: b})
	}
}

// face validates one photo and returns its single face of enough quality.
// Every refusal is a 4xx naming the file and the reason.
func (s *Server) face(ctx context.Context, p photo) (recognition.Face, ImageInfo, error) {
	// Header limits first, then one decode whose pixels go to the engine
	// (it would otherwise decode the bytes a second time).
	info, err := checkImageHeader(p.data, s.cfg.MaxPhotoBytes)
	var img image.Image
	if err == nil {
		s.metrics.photoDecodes.Add(1)
		img, err = decodePixels(p.data, info)
	}
	var ie *ImageError
	if errors.As(err, &ie) {
		s.metrics.photo(ie.Code)
		return recognition.Face{}, info, fail(ie.Status, ie.Code, "photo %q: %s", p.name, ie.Msg)
	}
	eng, err := s.faces.get()
	if err != nil {
		s.log.Error("face engine unavailable", "err", err)
		return recognition.Face{}, info, fail(http.StatusServiceUnavailable, "face_engine_unavailable", "the face models are not installed on this server")
	}
	faces, err := eng.DetectImage(ctx, img)
	img = nil // the engine keeps its own scaled copy; let the GC have this one
	if err != nil {
		code, status := "undecodable_image", http.StatusUnprocessableEntity
		switch {
		case errors.Is(err, recognition.ErrImageTooLarge):
			code, status = "image_too_large", http.StatusRequestEntityTooLarge
		case errors.Is(err, recognition.ErrImageTooSmall):
			code = "image_too_small"
		case !errors.Is(err, recognition.ErrBadImage):
			return recognition.Face{}, info, err
		}
		s.metrics.photo(code)
		return recognition.Face{}, info, fail(status, code, "photo %q: %v", p.name, err)
	}
	f, err := recognition.Single(faces)
	switch {
	case errors.Is(err, recognition.ErrNoFace):
		s.metrics.photo("no_face")
		return f, info, &apiError{status: http.StatusUnprocessableEntity, code: "no_face", msg: fmt.Sprintf("photo %q: no face found", p.name), extra: M{"faces": 0}}
	case errors.Is(err, recognition.ErrMultipleFaces):
		s.metrics.photo("multiple_faces")
		return f, info, &apiError{status: http.StatusUnprocessableEntity, code: "multiple_faces",
			msg: fmt.Sprintf("photo %q: %d faces, need exactly one", p.name, len(faces)), extra: M{"faces": len(faces)}}
	}
	if err := recognition.DefaultQualityLimits().Check(f.Quality); err != nil {
		s.metrics.photo("low_quality")
		return f, info, &apiError{status: http.StatusUnprocessableEntity, code: "low_quality", msg: fmt.Sprintf("photo %q: %v", p.name, err), extra: M{"quality": quality(f.Quality)}}
	}
	return f, info, nil
}

func quality(q recognition.Quality) Quality {
	return Quality{FaceWidth: q.FaceWidth, Sharpness: q.Sharpness, Brightness: q.Brightness, Yaw: q.Yaw, EyeOpenness: q.EyeOpenness}
}

// photoLimited bounds concurrent photo requests (body, decode, search):
// each holds up to five photos and a decoded image, so a burst is answered
// 503 at once instead of queueing its memory.
func (s *Server) photoLimited(h func(http.ResponseWriter, *http.Request, *principal) error) func(http.ResponseWriter, *http.Request, *principal) error {
	return func(w http.ResponseWriter, r *http.Request, p *principal) error {
		if !s.photos.try() {
			s.metrics.photosShed.Add(1)
			return busy("photo requests")
		}
		defer s.photos.release()
		return h(w, r, p)
	}
}

func (s *Server) photoBody(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxPhotos*(s.cfg.MaxPhotoBytes+1)+1<<20)
}

// handleFaceRegister is seed-002's /register: an employee from photos.
func (s *Server) handleFaceRegister(w http.ResponseWriter, r *http.Request, p *principal) error {
	s.photoBody(w, r)
	fields, photos, err := readMultipart(r, s.cfg.MaxPhotoBytes)
	if err != nil {
		return err
	}
	emp := api.Employee{NIP: fields["nip"], Name: fields["name"], Unit: fields["unit"], Status: fields["status"]}
	if err := checkEmployee(&emp); err != nil {
		return err
	}
	if !p.canUnit(emp.Unit) {
		return forbiddenUnit(emp.Unit)
	}
	if len(photos) == 0 {
		return badRequest("no photo: send 1-%d files in field \"photo\"", maxPhotos)
	}
	tpls := make([]Template, len(photos))
	out := make([]M, len(photos))
	for i, ph := range photos {
		f, info, err := s.face(r.Context(), ph)
		if err != nil {
			return err // nothing written
		}
		id := newID()
		tpls[i] = Template{ID: id, Descriptor: f.Descriptor, Quality: quality(f.Quality), TakenAt: s.now().UTC(), Photo: ph.data}
		out[i] = M{"id": id, "file": ph.name, "format": info.Format, "quality": tpls[i].Quality}
	}
	e := Employee{NIP: emp.NIP, Name: emp.Name, Unit: emp.Unit, Status: emp.Status}
	rev, err := s.store.PutEmployee(r.Context(), e, tpls, PutOptions{Threshold: DuplicateThreshold})
	if err != nil {
		return err
	}
	s.metrics.photo("registered")
	s.audit(r, p, "employee.register", e.NIP, fmt.Sprintf("unit=%s photos=%d rev=%d", e.Unit, len(tpls), rev))
	s.writeJSON(w, http.StatusOK, M{"employee": e, "revision": rev, "templates": out})
	return nil
}

// handleFaceIdentify is seed-002's /predict: who is in the photo.
func (s *Server) handleFaceIdentify(w http.ResponseWriter, r *http.Request, p *principal) error {
	s.photoBody(w, r)
	_, photos, err := readMultipart(r, s.cfg.MaxPhotoBytes)
	if err != nil {
		return err
	}
	if len(photos) != 1 {
		return badRequest("send exactly one file in field \"photo\", got %d", len(photos))
	}
	f, info, err := s.face(r.Context(), photos[0])
	if err != nil {
		return err
	}
	g, err := s.store.FaceIndex(r.Context())
	if err != nil {
		return err
	}
	d := recognition.DefaultPolicy().Decide(g.Search(f.Descriptor))
	resp := M{"format": info.Format, "quality": quality(f.Quality), "accepted": d.Accepted(), "distance": finite(d.Distance), "margin": finite(d.Margin)}
	if d.Accepted() {
		e, _, err := s.store.Employee(r.Context(), d.ID)
		switch {
		case errors.Is(err, ErrNotFound): // erased since the index was read
			resp["accepted"], resp["reason"] = false, "too_far"
		case err != nil:
			return err
		case !p.canUnit(e.Unit):
			resp["accepted"], resp["reason"] = false, "other_unit"
		default:
			resp["employee"] = e
		}
	} else {
		resp["reason"] = string(d.Reason)
	}
	s.metrics.photo("identified")
	s.audit(r, p, "face.identify", "", fmt.Sprintf("accepted=%v", resp["accepted"]))
	s.writeJSON(w, http.StatusOK, resp)
	return nil
}

// finite maps ±Inf (no second person) to -1 for JSON.
func finite(f float64) float64 {
	if f > 1e300 || f < -1e300 || f != f {
		return -1
	}
	return f
}

// newID returns a time-ordered random id for server-made templates.
func newID() string {
	t := NewToken()
	return fmt.Sprintf("%013x", time.Now().UnixMilli()) + strings.NewReplacer("-", "x", "_", "y").Replace(t[:13])
}
