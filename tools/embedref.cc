// embedref: dlib's own C++ face pipeline, the reference `hadir embed` is
// measured against (tools/embed-bench.sh): for each image file, HOG
// detection, landmarks, aligned chip and the 128-D ResNet descriptor, one
// JSON line per file. Same models and chip parameters as go-face (150 px,
// padding 0.25); no Go, no OpenCV, no MMOD model.
//
//   g++ -std=c++17 -O3 -DNDEBUG tools/embedref.cc -ldlib -lopenblas -ljpeg -lpng
//   embedref MODELDIR FILE...
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <dlib/dnn.h>
#include <dlib/image_io.h>
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>


// The network layout of dlib_face_recognition_resnet_model_v1.dat (dlib's
// dnn_face_recognition_ex): deserialising needs its exact type.
namespace hadir {
using namespace dlib;

// The network layouts the two model files were trained with (dlib's
// dnn_face_recognition_ex and dnn_mmod_face_detection_ex): deserialising
// a model needs its exact type.
template <int N, template <typename> class BN, int S, typename SUB>
using conv_block = BN<con<N, 3, 3, 1, 1, relu<BN<con<N, 3, 3, S, S, SUB>>>>>;
template <template <int, template <typename> class, int, typename> class B, int N,
          template <typename> class BN, typename SUB>
using residual = add_prev1<B<N, BN, 1, tag1<SUB>>>;
template <template <int, template <typename> class, int, typename> class B, int N,
          template <typename> class BN, typename SUB>
using residual_down = add_prev2<avg_pool<2, 2, 2, 2, skip1<tag2<B<N, BN, 2, tag1<SUB>>>>>>;
template <int N, typename SUB> using ares = relu<residual<conv_block, N, affine, SUB>>;
template <int N, typename SUB> using ares_down = relu<residual_down<conv_block, N, affine, SUB>>;
template <typename SUB> using level0 = ares_down<256, SUB>;
template <typename SUB> using level1 = ares<256, ares<256, ares_down<256, SUB>>>;
template <typename SUB> using level2 = ares<128, ares<128, ares_down<128, SUB>>>;
template <typename SUB> using level3 = ares<64, ares<64, ares<64, ares_down<64, SUB>>>>;
template <typename SUB> using level4 = ares<32, ares<32, ares<32, SUB>>>;
using resnet_type = loss_metric<fc_no_bias<128, avg_pool_everything<
    level0<level1<level2<level3<level4<
    max_pool<3, 3, 2, 2, relu<affine<con<32, 7, 7, 2, 2, input_rgb_image_sized<150>>>>>>>>>>>>>;

template <long F, typename SUB> using con5d = con<F, 5, 5, 2, 2, SUB>;
template <long F, typename SUB> using con5 = con<F, 5, 5, 1, 1, SUB>;
template <typename SUB> using downsampler =
    relu<affine<con5d<32, relu<affine<con5d<32, relu<affine<con5d<16, SUB>>>>>>>>>;
template <typename SUB> using rcon5 = relu<affine<con5<45, SUB>>>;
using mmod_type = loss_mmod<con<1, 9, 9, 1, 1,
    rcon5<rcon5<rcon5<downsampler<input_rgb_image_pyramid<pyramid_down<6>>>>>>>>;

}  // namespace hadir

int main(int argc, char **argv) {
	if (argc < 3) {
		std::fprintf(stderr, "usage: embedref MODELDIR FILE...\n");
		return 2;
	}
	std::string dir = argv[1];
	// Load times go to stderr; EMBEDREF_MMOD=1 also loads the MMOD model,
	// as go-face's NewRecognizer always does, to measure what that costs.
	auto t0 = std::chrono::steady_clock::now();
	auto lap = [&t0](const char *what) {
		auto t = std::chrono::steady_clock::now();
		std::fprintf(stderr, "load %s: %.0f ms\n", what, std::chrono::duration<double, std::milli>(t - t0).count());
		t0 = t;
	};
	dlib::frontal_face_detector hog = dlib::get_frontal_face_detector();
	lap("hog");
	dlib::shape_predictor landmarks;
	dlib::deserialize(dir + "/shape_predictor_5_face_landmarks.dat") >> landmarks;
	lap("landmarks");
	hadir::resnet_type resnet;
	dlib::deserialize(dir + "/dlib_face_recognition_resnet_model_v1.dat") >> resnet;
	lap("resnet");
	if (const char *m = std::getenv("EMBEDREF_MMOD"); m && *m == '1') {
		hadir::mmod_type mmod;
		dlib::deserialize(dir + "/mmod_human_face_detector.dat") >> mmod;
		lap("mmod");
	}
	int failed = 0;
	for (int i = 2; i < argc; i++) {
		dlib::matrix<dlib::rgb_pixel> img;
		try {
			dlib::load_image(img, argv[i]);
		} catch (const std::exception &e) {
			std::printf("{\"file\":\"%s\",\"error\":\"unreadable\"}\n", argv[i]);
			failed++;
			continue;
		}
		std::vector<dlib::rectangle> rects = hog(img);
		std::vector<dlib::matrix<dlib::rgb_pixel>> chips(rects.size());
		for (size_t j = 0; j < rects.size(); j++) {
			auto shape = landmarks(img, rects[j]);
			dlib::extract_image_chip(img, dlib::get_face_chip_details(shape, 150, 0.25), chips[j]);
		}
		std::vector<dlib::matrix<float, 0, 1>> descr = resnet(chips);
		std::printf("{\"file\":\"%s\",\"faces\":[", argv[i]);
		for (size_t j = 0; j < descr.size(); j++) {
			std::printf("%s{\"box\":[%ld,%ld,%ld,%ld],\"descriptor\":[", j ? "," : "", rects[j].left(), rects[j].top(),
			            rects[j].right() + 1, rects[j].bottom() + 1);
			for (long k = 0; k < descr[j].size(); k++) std::printf("%s%g", k ? "," : "", descr[j](k));
			std::printf("]}");
		}
		std::printf("]}\n");
	}
	return failed == argc - 2 ? 1 : 0;
}
