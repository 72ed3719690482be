// Package recognition finds faces and tells who they are.
//
// An Engine wraps dlib through go-face: detection (HOG by default, CNN on
// request), 68 landmarks, the 128-D ResNet descriptor and a Quality report
// per face, from JPEG/PNG/PGM bytes, an image.Image or a gocv.Mat. A Gallery
// holds the enrolled templates for 1:N search, and a Policy turns a Match
// into a decision: accepted only when the nearest person is near enough AND
// clearly nearer than the next one.
//
// Cost (2-core kiosk CPU, see `make bench`): go-face serialises each model
// inside one recognizer, so one Engine call runs on one core; a pool of two
// recognizers keeps two cores busy at the price of a second copy of the
// models (~130 MB). All distances here are Euclidean; go-face's own
// ClassifyThreshold takes a squared distance and is not used.
package recognition
