import type { ReactNode } from 'react';
import type { MessageKey } from './i18n.ts';
import { DigitalHumanPage } from './pages/DigitalHumanPage.tsx';
import { GalleryPage } from './pages/GalleryPage.tsx';
import { ImagePage } from './pages/ImagePage.tsx';
import { Model3dPage } from './pages/Model3dPage.tsx';
import { ModelsPage } from './pages/ModelsPage.tsx';
import { MotionPage } from './pages/MotionPage.tsx';
import { MusicPage } from './pages/MusicPage.tsx';
import { NpcPage } from './pages/NpcPage.tsx';
import { SettingsPage } from './pages/SettingsPage.tsx';
import { SpeechPage } from './pages/SpeechPage.tsx';
import { TextPage } from './pages/TextPage.tsx';
import { VideoPage } from './pages/VideoPage.tsx';
import { VisionPage } from './pages/VisionPage.tsx';

export interface Route {
  path: string;
  title: MessageKey;
  group: 'navCreate' | 'navScenarios' | 'navManage';
  render: () => ReactNode;
}

/** Every page, in menu order; the first is the landing page. */
export const ROUTES: readonly Route[] = [
  { path: 'text', title: 'pageText', group: 'navCreate', render: () => <TextPage /> },
  { path: 'speech', title: 'pageSpeech', group: 'navCreate', render: () => <SpeechPage /> },
  { path: 'image', title: 'pageImage', group: 'navCreate', render: () => <ImagePage /> },
  { path: 'music', title: 'pageMusic', group: 'navCreate', render: () => <MusicPage /> },
  { path: 'video', title: 'pageVideo', group: 'navCreate', render: () => <VideoPage /> },
  { path: 'vision', title: 'pageVision', group: 'navCreate', render: () => <VisionPage /> },
  { path: '3d', title: 'page3d', group: 'navCreate', render: () => <Model3dPage /> },
  { path: 'motion', title: 'pageMotion', group: 'navCreate', render: () => <MotionPage /> },
  { path: 'digital-human', title: 'pageDigitalHuman', group: 'navCreate', render: () => <DigitalHumanPage /> },
  { path: 'npc', title: 'pageNpc', group: 'navScenarios', render: () => <NpcPage /> },
  { path: 'gallery', title: 'pageGallery', group: 'navManage', render: () => <GalleryPage /> },
  { path: 'models', title: 'pageModels', group: 'navManage', render: () => <ModelsPage /> },
  { path: 'settings', title: 'pageSettings', group: 'navManage', render: () => <SettingsPage /> },
];
