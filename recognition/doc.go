// Package recognition finds faces and tells who they are.
//
// An Engine wraps dlib through go-face: detection (HOG by default; CNN on
// request, and as the fallback for a still photo where HOG finds nothing),
// 68 landmarks, the 128-D ResNet descriptor and a Quality report per face,
// from JPEG/PNG/PGM bytes, an image.Image or a gocv.Mat. A Gallery holds
// the enrolled templates for 1:N search, a Policy turns a Match into a
// decision (accepted only when the nearest person is near enough AND
// clearly nearer than the next one), and Calibrate proposes a Policy from
// a deployment's own gallery.
//
// Cost (2-core kiosk CPU, see `make bench`): ~29 ms to detect and encode a
// face in a 640x480 frame (HOG), seconds with the CNN detector on a large
// photo. go-face serialises each model inside one recognizer; a pool of
// two measured no gain on 2 cores and costs a second copy of the models
// (~166 MB), so one is the default. All distances here are Euclidean;
// go-face's own ClassifyThreshold takes a squared distance and is not used.
package recognition
