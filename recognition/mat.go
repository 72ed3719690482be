package recognition

import (
	"context"
	"fmt"
	"image"

	"gocv.io/x/gocv"
)

// DetectMat finds the faces in a BGR (or gray) gocv Mat from the camera,
// largest first. The Mat is only read; the caller keeps owning it. A live
// frame never falls back to the CNN detector (seconds per frame).
func (e *Engine) DetectMat(ctx context.Context, m gocv.Mat) ([]Face, error) {
	if m.Empty() {
		return nil, fmt.Errorf("%w: empty frame", ErrBadImage)
	}
	w, h := m.Cols(), m.Rows()
	if err := e.checkSize(w, h); err != nil {
		return nil, err
	}
	if t := m.Type(); t != gocv.MatTypeCV8UC3 && t != gocv.MatTypeCV8UC1 {
		return nil, fmt.Errorf("%w: %d-channel frame of type %v, want 8-bit BGR", ErrBadImage, m.Channels(), t)
	}
	f, err := e.prepareMat(m, e.detectScale(w, h))
	if err != nil {
		return nil, err
	}
	return e.run(ctx, f, e.opts.Detector)
}

// grayOfJPEG decodes only the luma of a JPEG, with OpenCV's libjpeg-turbo.
func grayOfJPEG(data []byte) (*image.Gray, error) {
	m, err := gocv.IMDecode(data, gocv.IMReadGrayScale)
	if err != nil || m.Empty() {
		m.Close()
		return nil, fmt.Errorf("%w: corrupt jpeg", ErrBadImage)
	}
	defer m.Close()
	return &image.Gray{Pix: m.ToBytes(), Stride: m.Cols(), Rect: image.Rect(0, 0, m.Cols(), m.Rows())}, nil
}
