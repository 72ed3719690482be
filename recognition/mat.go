package recognition

import (
	"context"
	"fmt"
	"image"

	"gocv.io/x/gocv"
)

// DetectMat finds the faces in a BGR (or gray) gocv Mat from the camera,
// largest first. The Mat is only read; the caller keeps owning it.
func (e *Engine) DetectMat(ctx context.Context, m gocv.Mat) ([]Face, error) {
	if m.Empty() {
		return nil, fmt.Errorf("%w: empty frame", ErrBadImage)
	}
	w, h := m.Cols(), m.Rows()
	if err := e.checkSize(w, h); err != nil {
		return nil, err
	}
	bgr := m
	if m.Channels() == 1 {
		bgr = gocv.NewMat()
		defer bgr.Close()
		gocv.CvtColor(m, &bgr, gocv.ColorGrayToBGR)
	} else if m.Channels() != 3 {
		return nil, fmt.Errorf("%w: %d-channel frame, want BGR", ErrBadImage, m.Channels())
	}
	scale := e.detectScale(w, h)
	if scale != 1 {
		scaled := gocv.NewMat()
		defer scaled.Close()
		gocv.Resize(bgr, &scaled, image.Pt(int(float64(w)*scale+0.5), int(float64(h)*scale+0.5)), 0, 0, gocv.InterpolationCubic)
		bgr = scaled
	}
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, bgr, []int{gocv.IMWriteJpegQuality, 95})
	if err != nil {
		return nil, fmt.Errorf("encode frame as jpeg: %w", err)
	}
	defer buf.Close()
	grayMat := gocv.NewMat()
	defer grayMat.Close()
	gocv.CvtColor(bgr, &grayMat, gocv.ColorBGRToGray)
	gray := &image.Gray{Pix: grayMat.ToBytes(), Stride: grayMat.Cols(), Rect: image.Rect(0, 0, grayMat.Cols(), grayMat.Rows())}
	jpegBytes := append([]byte(nil), buf.GetBytes()...)
	return e.run(ctx, &frame{jpeg: jpegBytes, gray: gray, scale: scale, size: image.Pt(w, h)}, e.opts.Detector)
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
